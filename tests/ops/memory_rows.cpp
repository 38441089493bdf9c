// The op table's rows for memory/memory_ops.h and memory/interface.h (core/op_table.h): the
// differentiable building blocks of addressing stages and external memories, on inputs that
// satisfy what they assume (weightings >= 0 summing to at most 1, link matrices with a zero
// diagonal, usage in [0, 1]).
#include "core/op_table.h"
#include "memory/interface.h"
#include "memory/memory_ops.h"
#include "tests/memory/memory_test_util.h"

#include <limits>

namespace engram {

namespace {

using memory::Activation;
using V = std::vector<Var<double>>;
using test::row;
using test::weighting;

Var<double> leaf(const MatD& m) { return Var<double>(m, true); }

template <class T>
Mat<T> mask(std::initializer_list<double> v) {
  return row(v).cast<T>();
}

const bool memory_rows = add_op_cases({
    op_case_made("activate (softmax)", "activate", [](Rng& r) { return V{leaf(random_matrix(1, 5, r, -2, 2))}; },
                 ENGRAM_OP_EXPR(memory::activate(x[0], Activation::softmax))),
    op_case_made("activate (oneplus)", "activate", [](Rng& r) { return V{leaf(random_matrix(2, 3, r, -2, 2))}; },
                 ENGRAM_OP_EXPR(memory::activate(x[0], Activation::oneplus))),
    op_case_made("activate_segments (every activation, at an offset)", "activate_segments",
                 [](Rng& r) { return V{leaf(random_matrix(1, 13, r, -2, 2))}; },
                 ENGRAM_OP_EXPR(memory::activate_segments(
                     x[0], 2, {{"a", 2, Activation::identity}, {"b", 2, Activation::tanh}, {"c", 1, Activation::sigmoid},
                               {"d", 2, Activation::softplus}, {"e", 1, Activation::oneplus}, {"f", 3, Activation::softmax}}))),
    op_case_made("slot_cosine", "slot_cosine", [](Rng& r) { return V{leaf(random_matrix(6, 3, r)), leaf(random_matrix(1, 3, r))}; },
                 ENGRAM_OP_EXPR(memory::slot_cosine(x[0], x[1]))),
    op_case_made("softmax_scaled", "softmax_scaled",
                 [](Rng& r) { return V{leaf(random_matrix(2, 5, r)), leaf(random_matrix(1, 1, r, 1, 3))}; },
                 ENGRAM_OP_EXPR(memory::softmax_scaled(x[0], x[1]))),
    op_case_made("softmax_scaled (masked entries)", "softmax_scaled",
                 [](Rng& r) { return V{leaf(random_matrix(1, 5, r)), leaf(random_matrix(1, 1, r, 1, 3))}; },
                 ENGRAM_OP_EXPR(memory::softmax_scaled(
                     masked_fill(x[0], mask<T>({0, 1, 0, 0, 1}), -std::numeric_limits<T>::infinity()), x[1]))),
    op_case_made("interpolate", "interpolate",
                 [](Rng& r) { return V{leaf(weighting(5, r)), leaf(weighting(5, r)), leaf(random_matrix(1, 1, r, 0, 1))}; },
                 ENGRAM_OP_EXPR(memory::interpolate(x[0], x[1], x[2]))),
    op_case_made("scale_by", "scale_by", [](Rng& r) { return V{leaf(random_matrix(2, 3, r)), leaf(random_matrix(1, 1, r))}; },
                 ENGRAM_OP_EXPR(memory::scale_by(x[0], x[1]))),
    op_case_made("temporal_weighting", "temporal_weighting",
                 [](Rng& r) {
                   MatD L = random_matrix(5, 5, r, 0, 0.2);
                   L.diagonal().setZero();
                   MatD pi = random_matrix(1, 3, r, 0.1, 1);
                   return V{leaf(L), leaf(weighting(5, r)), leaf(weighting(5, r, 1.0)), leaf(pi / pi.sum())};
                 },
                 ENGRAM_OP_EXPR(memory::temporal_weighting(x[0], x[1], x[2], x[3]))),
    op_case_made("read_memory (one head)", "read_memory",
                 [](Rng& r) { return V{leaf(weighting(6, r)), leaf(random_matrix(6, 3, r))}; },
                 ENGRAM_OP_EXPR(memory::read_memory<T>({x[0]}, x[1]))),
    op_case_made("read_memory (three heads)", "read_memory",
                 [](Rng& r) { return V{leaf(weighting(6, r)), leaf(weighting(6, r)), leaf(weighting(6, r)), leaf(random_matrix(6, 3, r))}; },
                 ENGRAM_OP_EXPR(memory::read_memory<T>({x[0], x[1], x[2]}, x[3]))),
    op_case_made("erase_add", "erase_add",
                 [](Rng& r) {
                   return V{leaf(random_matrix(6, 3, r)), leaf(weighting(6, r)), leaf(random_matrix(1, 3, r, 0, 1)),
                            leaf(random_matrix(1, 3, r))};
                 },
                 ENGRAM_OP_EXPR(memory::erase_add(x[0], x[1], x[2], x[3]))),
    // one input in two places gets both contributions
    op_case_made("erase_add (the same weighting as erase)", "erase_add",
                 [](Rng& r) { return V{leaf(random_matrix(3, 3, r)), leaf(weighting(3, r))}; },
                 ENGRAM_OP_EXPR(memory::erase_add(x[0], x[1], x[1], x[1]))),
    // batches: B = 3 sequences, the memories stacked [B N x W], a row per sequence elsewhere
    op_case_made("activate_segments (a row per sequence)", "activate_segments",
                 [](Rng& r) { return V{leaf(random_matrix(3, 7, r, -2, 2))}; },
                 ENGRAM_OP_EXPR(memory::activate_segments(
                     x[0], 1, {{"a", 2, Activation::tanh}, {"b", 1, Activation::oneplus}, {"c", 3, Activation::softmax}}))),
    op_case_made("slot_cosine (three sequences)", "slot_cosine",
                 [](Rng& r) { return V{leaf(random_matrix(12, 3, r)), leaf(random_matrix(3, 3, r))}; },
                 ENGRAM_OP_EXPR(memory::slot_cosine(x[0], x[1]))),
    op_case_made("softmax_scaled (a beta per row)", "softmax_scaled",
                 [](Rng& r) { return V{leaf(random_matrix(3, 5, r)), leaf(random_matrix(3, 1, r, 1, 3))}; },
                 ENGRAM_OP_EXPR(memory::softmax_scaled(x[0], x[1]))),
    op_case_made("interpolate (a gate per row)", "interpolate",
                 [](Rng& r) {
                   MatD a(3, 5), b(3, 5);
                   for (Index i = 0; i < 3; ++i) a.row(i) = weighting(5, r), b.row(i) = weighting(5, r);
                   return V{leaf(a), leaf(b), leaf(random_matrix(3, 1, r, 0, 1))};
                 },
                 ENGRAM_OP_EXPR(memory::interpolate(x[0], x[1], x[2]))),
    op_case_made("scale_by (a scale per row)", "scale_by", [](Rng& r) { return V{leaf(random_matrix(3, 4, r)), leaf(random_matrix(3, 1, r))}; },
                 ENGRAM_OP_EXPR(memory::scale_by(x[0], x[1]))),
    op_case_made("read_memory (two heads, three sequences)", "read_memory",
                 [](Rng& r) {
                   MatD w1(3, 4), w2(3, 4);
                   for (Index i = 0; i < 3; ++i) w1.row(i) = weighting(4, r), w2.row(i) = weighting(4, r);
                   return V{leaf(w1), leaf(w2), leaf(random_matrix(12, 3, r))};
                 },
                 ENGRAM_OP_EXPR(memory::read_memory<T>({x[0], x[1]}, x[2]))),
    op_case_made("erase_add (three sequences)", "erase_add",
                 [](Rng& r) {
                   MatD w(3, 4);
                   for (Index i = 0; i < 3; ++i) w.row(i) = weighting(4, r);
                   return V{leaf(random_matrix(12, 3, r)), leaf(w), leaf(random_matrix(3, 3, r, 0, 1)), leaf(random_matrix(3, 3, r))};
                 },
                 ENGRAM_OP_EXPR(memory::erase_add(x[0], x[1], x[2], x[3]))),
    op_case_made("update_usage (two sequences, a free gate each)", "update_usage",
                 [](Rng& r) {
                   MatD w(2, 5), rd(2, 5);
                   for (Index i = 0; i < 2; ++i) w.row(i) = weighting(5, r), rd.row(i) = weighting(5, r);
                   return V{leaf(random_matrix(2, 5, r, 0, 1)), leaf(w), leaf(random_matrix(2, 1, r, 0, 1)), leaf(rd)};
                 },
                 ENGRAM_OP_EXPR(memory::update_usage<T>(x[0], {x[1]}, {x[2]}, {x[3]}))),
    op_case_made("allocation_weighting (two sequences)", "allocation_weighting",
                 [](Rng& r) { return V{leaf(random_matrix(2, 6, r, 0.02, 0.98))}; },
                 ENGRAM_OP_EXPR(memory::allocation_weighting(x[0]))),
    op_case_made("update_precedence (two sequences)", "update_precedence",
                 [](Rng& r) {
                   MatD p(2, 5), w(2, 5);
                   for (Index i = 0; i < 2; ++i) p.row(i) = weighting(5, r, 0.7), w.row(i) = weighting(5, r);
                   return V{leaf(p), leaf(w)};
                 },
                 ENGRAM_OP_EXPR(memory::update_precedence(x[0], x[1]))),
    op_case_made("update_link (two sequences)", "update_link",
                 [](Rng& r) {
                   MatD L = random_matrix(8, 4, r, 0, 0.2), p(2, 4), w(2, 4);
                   for (Index b = 0; b < 2; ++b) {
                     for (Index i = 0; i < 4; ++i) L(b * 4 + i, i) = 0;
                     p.row(b) = weighting(4, r, 0.7), w.row(b) = weighting(4, r);
                   }
                   return V{leaf(L), leaf(p), leaf(w)};
                 },
                 ENGRAM_OP_EXPR(memory::update_link(x[0], x[1], x[2]))),
    op_case_made("temporal_weighting (two sequences)", "temporal_weighting",
                 [](Rng& r) {
                   MatD L = random_matrix(8, 4, r, 0, 0.2), prev(2, 4), c(2, 4), pi = random_matrix(2, 3, r, 0.1, 1);
                   for (Index b = 0; b < 2; ++b) {
                     for (Index i = 0; i < 4; ++i) L(b * 4 + i, i) = 0;
                     prev.row(b) = weighting(4, r), c.row(b) = weighting(4, r, 1.0);
                     pi.row(b) /= pi.row(b).sum();
                   }
                   return V{leaf(L), leaf(prev), leaf(c), leaf(pi)};
                 },
                 ENGRAM_OP_EXPR(memory::temporal_weighting(x[0], x[1], x[2], x[3]))),
    op_case_made("allocation_weighting", "allocation_weighting",
                 [](Rng& r) { return V{leaf(random_matrix(1, 7, r, 0.02, 0.98))}; },
                 ENGRAM_OP_EXPR(memory::allocation_weighting(x[0]))),
    op_case_made("allocation_weighting (a usage of exactly 0)", "allocation_weighting",
                 [](Rng&) { return V{leaf(row({0.4, 0.0, 0.7, 0.2}))}; }, ENGRAM_OP_EXPR(memory::allocation_weighting(x[0]))),
    op_case_made("update_usage (two writes, two reads)", "update_usage",
                 [](Rng& r) {
                   return V{leaf(random_matrix(1, 5, r, 0, 1)), leaf(weighting(5, r)), leaf(weighting(5, r)),
                            leaf(random_matrix(1, 1, r, 0, 1)), leaf(random_matrix(1, 1, r, 0, 1)), leaf(weighting(5, r)),
                            leaf(weighting(5, r))};
                 },
                 ENGRAM_OP_EXPR(memory::update_usage<T>(x[0], {x[1], x[2]}, {x[3], x[4]}, {x[5], x[6]}))),
    op_case_made("update_precedence", "update_precedence",
                 [](Rng& r) { return V{leaf(weighting(5, r, 0.7)), leaf(weighting(5, r))}; },
                 ENGRAM_OP_EXPR(memory::update_precedence(x[0], x[1]))),
    op_case_made("update_link", "update_link",
                 [](Rng& r) {
                   MatD L = random_matrix(5, 5, r, 0, 0.2);
                   L.diagonal().setZero();
                   return V{leaf(L), leaf(weighting(5, r, 0.7)), leaf(weighting(5, r))};
                 },
                 ENGRAM_OP_EXPR(memory::update_link(x[0], x[1], x[2]))),
});

}  // namespace

}  // namespace engram
