// count_operations (core/op_count.h): the multiply-adds of products and convolutions and the
// elementwise operations of everything else, each node once, against counts by hand; and the
// CNN backbone's count against its layers' formula.
#include "core/op_count.h"

#include "core/layers.h"
#include "core/ops_image.h"

#include <catch2/catch.hpp>

using namespace engram;

TEST_CASE("count_operations counts products, convolutions and elementwise ops, each node once", "[op_count]") {
  Rng rng(1, "count");
  const Var<double> a(MatD::Random(3, 4), true), b(MatD::Random(4, 5), true);
  const Var<double> y = relu(matmul(a, b));  // 3 * 4 * 5 multiply-adds, 15 relus
  OpCount c = count_operations(y);
  CHECK(c.multiply_adds == 60);
  CHECK(c.elementwise == 15);
  CHECK(c.by_op.at("matmul") == 60);
  CHECK(c.by_op.at("relu") == 15);
  // a shared subexpression is counted once: m is read twice
  const Var<double> m = matmul_nt(a, a);  // [3 x 3]: 3 * 4 * 3
  c = count_operations(add(m, m));
  CHECK(c.multiply_adds == 36);
  CHECK(c.elementwise == 9);
  // a convolution: 2 images 1 x 5 x 5, 4 filters 3 x 3, padding 1: 2 * 4 * 25 outputs of 9 each
  Conv2dOptions conv;
  conv.padding = 1;
  const Var<double> x(MatD::Random(2, 25)), w(MatD::Random(4, 9), true), bias(MatD::Zero(1, 4), true);
  c = count_operations(conv2d(x, ImageShape{1, 5, 5}, w, bias, conv));
  CHECK(c.multiply_adds == 2 * 4 * 25 * 9);
  CHECK(c.elementwise == 0);  // the bias is part of the conv node
  // leaves cost nothing; an undefined Var counts nothing
  CHECK(count_operations(a).multiply_adds + count_operations(a).elementwise == 0);
  CHECK(count_operations(Var<double>()).elementwise == 0);
  // a deep chain (a long unroll) is walked without recursion
  Var<double> h(MatD::Ones(1, 2), true);
  for (int i = 0; i < 200000; ++i) h = add_scalar(h, 1.0);
  CHECK(count_operations(h).elementwise == 400000);
}
