// Modern continuous Hopfield memory (memory/hopfield/modern.h) and the differentiable Hopfield
// layers (memory/hopfield/hopfield_layers.h).
//
// Memory: energy against a direct computation, the energy never rising along updates, one-step
// retrieval at large beta with P = 8 d (and the paper's error bound), the metastable average at
// small beta (with its first-order prediction), retrieve's steps/convergence, projections, the
// metric helpers and argument errors.
// Layers: double-precision Jacobian checks w.r.t. inputs and every parameter, the "backward
// adds" checks, agreement (float) with the Eigen memory, masks, parameters and options.
#include "memory/hopfield/hopfield_layers.h"
#include "memory/hopfield/modern.h"

#include "core/gradcheck.h"

#include <catch2/catch.hpp>

#include <Eigen/LU>

#include <cmath>
#include <limits>

using namespace engram;
using namespace engram::hopfield;

namespace {

MatF gaussian(Index rows, Index cols, Rng& rng, double stddev = 1.0) {
  MatF m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = float(rng.normal(0, stddev));
  return m;
}

MatF unit_rows(MatF m) {
  m.rowwise().normalize();
  return m;
}

// E(xi) = -beta^-1 log sum_mu exp(beta x_mu . xi) + 1/2 xi.xi + beta^-1 log P + 1/2 M^2, in long
// double with the naive sum (fine for the moderate beta * overlap used here).
double direct_energy(const MatF& x, const MatF& xi, double beta) {
  long double z = 0, max_sq = 0;
  for (Index mu = 0; mu < x.rows(); ++mu) {
    long double dot = 0, sq = 0;
    for (Index j = 0; j < x.cols(); ++j) {
      dot += (long double)x(mu, j) * xi(0, j);
      sq += (long double)x(mu, j) * x(mu, j);
    }
    z += std::exp((long double)beta * dot);
    max_sq = std::max(max_sq, sq);
  }
  long double xx = 0;
  for (Index j = 0; j < xi.cols(); ++j) xx += (long double)xi(0, j) * xi(0, j);
  return double(-std::log(z) / beta + 0.5L * xx + std::log((long double)x.rows()) / beta + 0.5L * max_sq);
}

// ---- helpers for the layer checks ----------------------------------------------------------

using V = std::vector<Var<double>>;

V leaves(std::initializer_list<MatD> values) {
  V out;
  for (const auto& m : values) out.emplace_back(m, true);
  return out;
}

V with_params(V inputs, const Module<double>& m) {
  for (const auto& p : m.parameters()) inputs.push_back(p);
  return inputs;
}


// The three checks on output and on weights.
template <class Fn>
void check_all(const Fn& forward, const V& inputs) {
  const VarFn out = [&](const V& in) { return forward(in).output; };
  const VarFn w = [&](const V& in) { return forward(in).weights; };
  CHECK(check_gradient(out, inputs) < 1e-6);
  CHECK(check_gradient(w, inputs) < 1e-6);
  CHECK(check_backward_adds(out, inputs) < 1e-12);
  CHECK(check_backward_adds(w, inputs) < 1e-12);
  CHECK(check_graph_backward_adds(out, inputs) < 1e-12);
}

}  // namespace

// ============================================================================================
// ModernHopfield
// ============================================================================================

TEST_CASE("modern: energy matches a direct computation and stays finite at large beta", "[modern]") {
  for (std::uint64_t seed = 0; seed < 6; ++seed) {
    Rng rng(seed, "modern-energy");
    const Index P = 3 + Index(rng.below(20)), d = 2 + Index(rng.below(10));
    const double beta = rng.uniform(0.2, 4.0);
    const MatF x = gaussian(P, d, rng, 0.7);
    const MatF xi = gaussian(5, d, rng);
    const ModernHopfield mem(x, beta);
    CHECK(mem.max_norm() == Approx(x.cast<double>().rowwise().norm().maxCoeff()).epsilon(1e-12));
    const std::vector<double> e = mem.energy(xi);
    REQUIRE(e.size() == 5);
    for (Index b = 0; b < 5; ++b) {
      CHECK(e[b] == Approx(direct_energy(x, xi.row(b), beta)).epsilon(1e-9).margin(1e-9));
      CHECK(e[b] >= -1e-9);  // E >= 0 with the constant terms
    }
  }
  // beta x.xi = 2000: exp overflows, the max-subtracted lse does not. At xi = x_0 with x_0
  // dominating, E = -x_0.x_0 + 1/2 x_0.x_0 + log P / beta + 1/2 M^2 (+ e^-huge) = log P / beta.
  MatF x(3, 2);
  x << 10, 0, 0, 10, -10, 0;
  const ModernHopfield hot(x, 20.0);
  const std::vector<double> e = hot.energy(x.row(0));
  CHECK(std::isfinite(e[0]));
  CHECK(e[0] == Approx(std::log(3.0) / 20.0).epsilon(1e-9));
  CHECK(hot.update(x.row(1)).isApprox(x.row(1)));
}

TEST_CASE("modern: the energy never rises along updates (many seeds)", "[modern]") {
  // The update is a CCCP step on E. States are float, energies double: the measured worst rise
  // over these runs is ~2e-13 (rounding), so the margin is 1e-9 relative.
  int traces = 0;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    Rng rng(seed, "modern-monotone");
    const Index P = 2 + Index(rng.below(60)), d = 2 + Index(rng.below(23));
    const double beta = std::exp(rng.uniform(std::log(0.1), std::log(20.0)));
    const MatF x = gaussian(P, d, rng, rng.uniform(0.2, 2.0));
    const MatF q = gaussian(4, d, rng);
    const ModernRetrieval r = ModernHopfield(x, beta).retrieve(q, 30, 0.0);
    for (const auto& trace : r.energy) {
      INFO("seed " << seed << " P=" << P << " d=" << d << " beta=" << beta);
      REQUIRE(trace.size() == 31);
      for (size_t t = 1; t < trace.size(); ++t) REQUIRE(trace[t] <= trace[t - 1] + 1e-9 * (1 + std::abs(trace[t - 1])));
      ++traces;
    }
  }
  CHECK(traces == 160);
}

TEST_CASE("modern: at large beta a probe near x_i is retrieved in one update with P = 8 d", "[modern]") {
  // d = 64, P = 512 unit-norm random patterns (min separation ~0.52), probes x_i + 0.1 u, beta 32.
  // Ramsauer et al. Theorem 4: ||f(xi) - x_i|| <= 2 (P - 1) exp(-(beta Delta_i - 2 beta ||xi - x_i|| M)) M.
  // Measured: largest error 1.1e-7 (float rounding).
  const Index P = 512, d = 64;
  const double beta = 32;
  Rng rng(1, "modern-large-beta");
  const MatF x = unit_rows(gaussian(P, d, rng));
  const MatF probes = x + 0.1f * unit_rows(gaussian(P, d, rng));
  const ModernHopfield mem(x, beta);
  const MatF once = mem.update(probes);
  const std::vector<double> delta = separation(x);
  const std::vector<Index> nearest = nearest_pattern(x, once);
  double worst = 0;
  for (Index i = 0; i < P; ++i) {
    const double err = (once.row(i) - x.row(i)).norm();
    const double dist = (probes.row(i) - x.row(i)).norm();
    const double bound = 2.0 * double(P - 1) * std::exp(-(beta * delta[i] - 2.0 * beta * dist * mem.max_norm())) *
                         mem.max_norm();
    REQUIRE(delta[i] > 0.4);
    REQUIRE(err <= bound + 1e-6);
    REQUIRE(nearest[i] == i);
    worst = std::max(worst, err);
  }
  CHECK(worst < 1e-5);
  // retrieve agrees: converged after the second update (which no longer moves the state).
  const ModernRetrieval r = mem.retrieve(probes.topRows(16), 10, 1e-5);
  for (Index i = 0; i < 16; ++i) {
    CHECK(r.converged[i]);
    CHECK(r.steps[i] <= 2);
    CHECK((r.states.row(i) - x.row(i)).norm() < 1e-5);
  }
}

TEST_CASE("modern: at small beta every start converges to the metastable average of all patterns", "[modern]") {
  // For small beta, p_mu ~ (1 + beta (x_mu - mean).xi) / P, so the fixed point solves
  // xi = mean + beta Sigma xi (Sigma the pattern covariance): xi* ~ (I - beta Sigma)^-1 mean,
  // a point near the mean that is no stored pattern. Measured at beta = 0.5 (P = 50, d = 16,
  // unit patterns, |mean| = 0.16): |xi* - mean| = 5.5e-3, |xi* - first order| = 1.7e-5, all
  // starts within 3e-8 of each other.
  const Index P = 50, d = 16;
  const double beta = 0.5;
  Rng rng(2, "modern-small-beta");
  const MatF x = unit_rows(gaussian(P, d, rng));
  const MatD xd = x.cast<double>();
  const Eigen::RowVectorXd mean = xd.colwise().mean();
  const MatD centered = xd.rowwise() - mean;
  const MatD sigma = centered.transpose() * centered / double(P);
  const Eigen::RowVectorXd first_order =
      ((MatD::Identity(d, d) - beta * sigma).partialPivLu().solve(mean.transpose())).transpose();

  MatF starts(P + 5, d);
  starts << x, gaussian(5, d, rng, 2.0);  // every stored pattern, and far random points
  const ModernRetrieval r = ModernHopfield(x, beta).retrieve(starts, 200, 1e-7);
  const Eigen::RowVectorXd fixed = r.states.row(0).cast<double>();
  const double from_mean = (fixed - mean).norm();
  CHECK(from_mean > 1e-3);                 // not exactly the mean ...
  CHECK(from_mean < 0.02);                 // ... but close to it (patterns are at distance ~1)
  CHECK((fixed - first_order).norm() < 0.05 * from_mean);  // and the first-order theory explains the gap
  for (Index b = 0; b < starts.rows(); ++b) {
    CHECK(r.converged[b]);
    CHECK((r.states.row(b).cast<double>() - fixed).norm() < 1e-5);
  }
  // No stored pattern survives: the nearest one is at distance >= 0.9.
  for (Index mu = 0; mu < P; ++mu) CHECK((xd.row(mu) - fixed).norm() > 0.9);
}

TEST_CASE("modern: retrieve counts steps, stops at tol or the limit, and keeps rows independent", "[modern]") {
  Rng rng(4, "modern-retrieve");
  const MatF x = gaussian(10, 6, rng);
  const MatF q = gaussian(3, 6, rng);
  const ModernHopfield mem(x, 1.5);
  const ModernRetrieval capped = mem.retrieve(q, 2, 0.0);
  MatF two = mem.update(mem.update(q));
  CHECK(capped.states.isApprox(two, 1e-6f));
  for (Index b = 0; b < 3; ++b) {
    CHECK(capped.steps[b] == 2);
    CHECK_FALSE(capped.converged[b]);
    CHECK(capped.energy[b].size() == 3);
    CHECK(capped.energy[b][0] == Approx(mem.energy(q.row(b))[0]));
  }
  const ModernRetrieval full = mem.retrieve(q, 500, 1e-6);
  for (Index b = 0; b < 3; ++b) {
    CHECK(full.converged[b]);
    CHECK(full.energy[b].size() == size_t(full.steps[b] + 1));
    const ModernRetrieval alone = mem.retrieve(q.row(b), 500, 1e-6);
    CHECK(alone.states == full.states.row(b));
    CHECK(alone.steps[0] == full.steps[b]);
    CHECK((mem.update(full.states.row(b)) - full.states.row(b)).norm() < 1e-5);  // a fixed point
  }
}

TEST_CASE("modern: association with projections is the Hopfield layer formula", "[modern]") {
  Rng rng(6, "modern-proj");
  const Index S = 3, P = 7, d_r = 5, d_y = 4, d_k = 3, d_v = 2;
  const MatF R = gaussian(S, d_r, rng), Y = gaussian(P, d_y, rng);
  const HopfieldProjections proj{gaussian(d_r, d_k, rng), gaussian(d_y, d_k, rng), gaussian(d_y, d_v, rng)};
  const double beta = 0.7;
  MatF w;
  const MatF z = hopfield_association(R, Y, beta, &proj, &w);
  // reference in double, row by row
  const MatD q = (R * proj.w_q).cast<double>(), k = (Y * proj.w_k).cast<double>(), v = (Y * proj.w_v).cast<double>();
  REQUIRE(z.rows() == S);
  REQUIRE(z.cols() == d_v);
  for (Index s = 0; s < S; ++s) {
    Eigen::RowVectorXd a = beta * (q.row(s) * k.transpose());
    a = (a.array() - a.maxCoeff()).exp();
    a /= a.sum();
    CHECK((w.row(s).cast<double>() - a).cwiseAbs().maxCoeff() < 1e-6);
    CHECK((z.row(s).cast<double>() - a * v).cwiseAbs().maxCoeff() < 1e-5);
  }
  // Identity projections reduce to the plain update; the member uses the stored patterns.
  const ModernHopfield mem(Y, beta);
  const MatF I = MatF::Identity(d_y, d_y);
  const HopfieldProjections identity{I, I, I};
  const MatF Rq = gaussian(S, d_y, rng);
  CHECK(mem.associate(Rq, identity).isApprox(mem.update(Rq), 1e-6f));
  CHECK(hopfield_association(Rq, Y, beta).isApprox(mem.update(Rq), 1e-6f));
  CHECK(mem.weights(Rq).rowwise().sum().isApproxToConstant(1.0f, 1e-6f));
}

TEST_CASE("modern: nearest pattern and separation", "[modern]") {
  MatF x(3, 2);
  x << 1, 0, 0, 2, 1, 1;
  // Gram: [1 0 1; 0 4 2; 1 2 2] -> Delta = 1 - 1, 4 - 2, 2 - 2
  const std::vector<double> delta = separation(x);
  CHECK(delta == std::vector<double>{0.0, 2.0, 0.0});
  MatF q(3, 2);
  q << 1, -0.1f, -1, 3, 0.5f, 0.5f;
  CHECK(nearest_pattern(x, q) == std::vector<Index>{0, 1, 1});  // ties (row 2: 0.5, 1, 1) go to the first
  CHECK_THROWS_WITH(separation(x.topRows(1)), Catch::Contains("separation") && Catch::Contains("[1 x 2]"));
  CHECK_THROWS_WITH(nearest_pattern(x, MatF(1, 3)), Catch::Contains("nearest_pattern") && Catch::Contains("[1 x 3]"));
}

TEST_CASE("modern: argument errors name the function and the shapes", "[modern]") {
  Rng rng(1, "modern-errors");
  const MatF x = gaussian(4, 3, rng);
  CHECK_THROWS_WITH(ModernHopfield(x, 0.0), Catch::Contains("ModernHopfield") && Catch::Contains("beta"));
  CHECK_THROWS_WITH(ModernHopfield(MatF(0, 3), 1.0), Catch::Contains("[0 x 3]"));
  MatF bad = x;
  bad(1, 1) = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(ModernHopfield(bad, 1.0), Catch::Contains("non-finite"));
  const ModernHopfield mem(x, 1.0);
  CHECK_THROWS_WITH(mem.update(MatF(2, 4)), Catch::Contains("ModernHopfield::update") && Catch::Contains("[2 x 4]"));
  CHECK_THROWS_WITH(mem.energy(MatF(1, 2)), Catch::Contains("ModernHopfield::energy") && Catch::Contains("[1 x 2]"));
  CHECK_THROWS_WITH(mem.retrieve(MatF::Zero(1, 3), 0), Catch::Contains("max_steps must be >= 1"));
  const HopfieldProjections proj{MatF(3, 2), MatF(3, 5), MatF(3, 2)};
  CHECK_THROWS_WITH(mem.associate(MatF::Zero(1, 3), proj),
                    Catch::Contains("hopfield_association") && Catch::Contains("W_k [3 x 5]"));
  CHECK_THROWS_WITH(hopfield_association(MatF(1, 2), x, 1.0), Catch::Contains("[1 x 2]") && Catch::Contains("[4 x 3]"));
}

// ============================================================================================
// Hopfield layers
// ============================================================================================

TEST_CASE("hopfield layers: gradients of HopfieldRetrieval w.r.t. inputs and parameters", "[modern][layers]") {
  Rng rng(31, "layer-retrieval");
  const Index S = 3, P = 5, d_in = 4;
  MatD mask(1, P);
  mask << 0, 1, 0, 0, 1;
  for (const bool proj : {true, false})
    for (const int steps : {1, 2})
      for (const bool masked : {false, true}) {
        INFO("projections " << proj << " steps " << steps << " masked " << masked);
        HopfieldOptions o;
        o.projections = proj;
        o.update_steps = steps;
        if (proj) {
          o.d_k = 3;
          o.d_v = 2;
        }
        const HopfieldRetrieval<double> layer(d_in, rng, o);
        CHECK(layer.parameters().size() == (proj ? 3u : 0u));
        const V in = with_params(leaves({random_matrix(S, d_in, rng), random_matrix(P, d_in, rng)}), layer);
        const MatD* m = masked ? &mask : nullptr;
        check_all([&](const V& v) { return layer(v[0], v[1], m); }, in);
        const HopfieldResult<double> r = layer(in[0], in[1], m);
        CHECK(r.output.rows() == S);
        CHECK(r.output.cols() == (proj ? 2 : d_in));
        CHECK(r.weights.value().rowwise().sum().isApproxToConstant(1.0, 1e-12));
        if (masked) {
          CHECK((r.weights.value().col(1).array() == 0.0).all());
          CHECK((r.weights.value().col(4).array() == 0.0).all());
        }
      }
}

TEST_CASE("hopfield layers: gradients of HopfieldPooling and HopfieldLayer", "[modern][layers]") {
  Rng rng(32, "layer-pool");
  const Index P = 6, d_in = 4, S = 2;
  for (const bool proj : {true, false}) {
    INFO("projections " << proj);
    HopfieldOptions o;
    o.projections = proj;
    o.d_k = proj ? 3 : 0;
    o.d_v = proj ? 5 : 0;
    o.beta = 0.8;
    const HopfieldPooling<double> pool(d_in, rng, S, o);
    CHECK(pool.parameters().size() == (proj ? 3u : 1u));
    CHECK(pool.query.rows() == S);
    CHECK(pool.query.cols() == (proj ? 3 : d_in));
    const V pin = with_params(leaves({random_matrix(P, d_in, rng)}), pool);
    check_all([&](const V& v) { return pool(v[0]); }, pin);
    CHECK(pool(pin[0]).output.cols() == (proj ? 5 : d_in));

    o.update_steps = 2;
    const HopfieldLayer<double> layer(d_in, P, rng, o);
    CHECK(layer.parameters().size() == (proj ? 4u : 1u));
    const V lin = with_params(leaves({random_matrix(S, d_in, rng)}), layer);
    MatD mask(S, P);
    mask.setZero();
    mask(0, 2) = 1;
    mask(1, 0) = 1;
    check_all([&](const V& v) { return layer(v[0], &mask); }, lin);
    const HopfieldResult<double> r = layer(lin[0], &mask);
    CHECK(r.weights.value()(0, 2) == 0.0);
    CHECK(r.weights.value()(1, 0) == 0.0);
    CHECK(r.weights.value()(0, 0) > 0.0);
  }
}

TEST_CASE("hopfield layers: without projections HopfieldRetrieval computes ModernHopfield's update (float)", "[modern][layers]") {
  Rng rng(33, "layer-vs-memory");
  const Index S = 6, P = 40, d = 16;
  const MatF Y = gaussian(P, d, rng), R = gaussian(S, d, rng);
  for (const double beta : {0.25, 1.0, 4.0}) {
    INFO("beta " << beta);
    const ModernHopfield mem(Y, beta);
    HopfieldOptions o;
    o.projections = false;
    o.beta = beta;
    const HopfieldRetrieval<float> one(d, rng, o);
    const HopfieldResult<float> r = one(Var<float>(R), Var<float>(Y));
    CHECK((r.output.value() - mem.update(R)).cwiseAbs().maxCoeff() < 1e-5f);
    CHECK((r.weights.value() - mem.weights(R)).cwiseAbs().maxCoeff() < 1e-5f);
    o.update_steps = 3;  // three plain updates
    const HopfieldRetrieval<float> three(d, rng, o);
    const MatF want = mem.update(mem.update(mem.update(R)));
    CHECK((three(Var<float>(R), Var<float>(Y)).output.value() - want).cwiseAbs().maxCoeff() < 1e-5f);
  }
  // With projections the layer is ModernHopfield::associate with the same (fixed) matrices.
  HopfieldOptions o;
  o.d_k = 5;
  o.d_v = 7;
  const HopfieldRetrieval<float> layer(d, rng, o);
  const HopfieldProjections proj{layer.w_q.value(), layer.w_k.value(), layer.w_v.value()};
  const ModernHopfield mem(Y, layer.beta());
  CHECK(layer.beta() == Approx(1.0 / std::sqrt(5.0)));
  CHECK((layer(Var<float>(R), Var<float>(Y)).output.value() - mem.associate(R, proj)).cwiseAbs().maxCoeff() < 1e-5f);
}

TEST_CASE("hopfield layers: a mask equals leaving the masked stored patterns out", "[modern][layers]") {
  Rng rng(34, "layer-mask");
  const Index S = 3, P = 6, d = 4;
  HopfieldOptions o;
  o.d_k = 3;
  const HopfieldRetrieval<double> layer(d, rng, o);
  const MatD R = random_matrix(S, d, rng), Y = random_matrix(P, d, rng);
  MatD mask(1, P);
  mask << 0, 0, 1, 0, 1, 0;
  MatD kept(4, d);
  kept << Y.row(0), Y.row(1), Y.row(3), Y.row(5);
  const HopfieldResult<double> masked = layer(Var<double>(R), Var<double>(Y), &mask);
  const HopfieldResult<double> subset = layer(Var<double>(R), Var<double>(kept));
  CHECK((masked.output.value() - subset.output.value()).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("hopfield layers: parameters, options and errors", "[modern][layers]") {
  Rng rng(35, "layer-params");
  HopfieldOptions o;
  o.d_k = 3;
  o.d_v = 2;
  const HopfieldRetrieval<float> r(4, rng, o);
  const auto names = r.named_parameters();
  REQUIRE(names.size() == 3);
  CHECK(names[0].name == "w_q");
  CHECK(names[1].name == "w_k");
  CHECK(names[2].name == "w_v");
  CHECK(r.w_q.rows() == 4);
  CHECK(r.w_q.cols() == 3);
  CHECK(r.w_v.cols() == 2);
  const HopfieldLayer<float> layer(4, 9, rng, o);
  const auto lnames = layer.named_parameters();
  REQUIRE(lnames.size() == 4);
  CHECK(lnames[0].name == "patterns");
  CHECK(lnames[1].name == "retrieval.w_q");
  CHECK(layer.num_patterns() == 9);
  const HopfieldPooling<float> pool(4, rng, 2, o);
  CHECK(pool.named_parameters()[0].name == "query");

  Options cfg;
  cfg.set("d_k", 8.0).set("beta", 0.5).set("update_steps", 2.0).set("projections", "false");
  const HopfieldOptions parsed = hopfield_options(cfg);
  CHECK(parsed.d_k == 8);
  CHECK(parsed.d_v == 0);
  CHECK(parsed.beta == 0.5);
  CHECK(parsed.update_steps == 2);
  CHECK_FALSE(parsed.projections);
  cfg.finish("hopfield");  // every key was read

  HopfieldOptions plain;
  plain.projections = false;
  plain.d_k = 3;
  CHECK_THROWS_WITH(HopfieldRetrieval<float>(4, rng, plain), Catch::Contains("without projections"));
  HopfieldOptions zero_steps;
  zero_steps.update_steps = 0;
  CHECK_THROWS_WITH(HopfieldPooling<float>(4, rng, 1, zero_steps), Catch::Contains("update_steps must be >= 1"));
  CHECK_THROWS_WITH(r(Var<float>(MatF::Zero(2, 4)), Var<float>(MatF::Zero(3, 5))),
                    Catch::Contains("HopfieldRetrieval") && Catch::Contains("[3 x 5]"));
  MatF all(1, 3);
  all.setOnes();
  CHECK_THROWS_WITH(r(Var<float>(MatF::Zero(2, 4)), Var<float>(MatF::Zero(3, 4)), &all),
                    Catch::Contains("masks every stored pattern"));
  MatF wrong(2, 2);
  wrong.setZero();
  CHECK_THROWS_WITH(pool(Var<float>(MatF::Zero(3, 4)), &wrong), Catch::Contains("HopfieldPooling") && Catch::Contains("mask [2 x 2]"));
  CHECK_THROWS_WITH(layer(Var<float>(MatF::Zero(1, 5))), Catch::Contains("HopfieldLayer") && Catch::Contains("[1 x 5]"));
}
