// Normalizers: the contract checked on every registered normalizer from the registry (a newly
// registered one is tested here without new test code), then each normalizer's own behaviour
// and the REINFORCE estimator of the "sampled" normalizer.
//
// Every normalizer is built with default Options and called with one generic context that
// holds whatever any of them may need: ctx.position, ctx.query ([m x query_dim]), ctx.rng and
// training = true.
#include "attention/attention.h"
#include "attention/normalizer.h"
#include "attention/normalizers/reinforce.h"
#include "core/gradcheck.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <set>

using namespace engram;
using namespace engram::attention;

namespace {

using V = std::vector<Var<double>>;

constexpr Index kRows = 3, kKeys = 6, kQueryDim = 4, kPosition = 2;

template <class T>
NormalizeContext<T> generic_context(const Mat<T>* mask, Rng* rng, const Var<T>* query) {
  NormalizeContext<T> ctx;
  ctx.mask = mask;
  ctx.rng = rng;
  ctx.training = true;
  ctx.position = kPosition;
  ctx.query = query;
  return ctx;
}

// Partial masks (non-zero = masked) that leave kPosition and its neighbours open in every row.
MatD row_mask() {  // [m x n]
  MatD m = MatD::Zero(kRows, kKeys);
  m(0, 0) = m(0, 5) = 1;
  m(1, 1) = m(1, 4) = 1;
  m(2, 3) = 1;
  return m;
}
MatD shared_mask() {  // [1 x n]
  MatD m = MatD::Zero(1, kKeys);
  m(0, 0) = m(0, 4) = 1;
  return m;
}

// Rows >= 0 summing to 1 (or to at most 1 where declared), masked positions exactly 0.
template <class T>
void check_rows(const Mat<T>& w, const Mat<T>* mask, bool sums_to_one, double tol) {
  REQUIRE(w.rows() == kRows);
  REQUIRE(w.cols() == kKeys);
  REQUIRE(w.allFinite());
  CHECK(w.minCoeff() >= T(0));
  for (Index r = 0; r < w.rows(); ++r) {
    INFO("row " << r);
    const double s = static_cast<double>(w.row(r).sum());
    if (sums_to_one) {
      CHECK(std::abs(s - 1) < tol);
    } else {
      CHECK(s > 0);
      CHECK(s <= 1 + tol);
    }
    if (mask)
      for (Index c = 0; c < w.cols(); ++c)
        if ((*mask)(mask->rows() == 1 ? 0 : r, c) != T(0)) CHECK(w(r, c) == T(0));
  }
}

// The whole contract for one normalizer built with `opt`.
void check_contract(const std::string& name, const Options& opt) {
  INFO("normalizer " << name << " options:" << [&] {
    std::string s;
    for (const auto& k : opt.keys()) s += " " + k;
    return s;
  }());
  Rng init(1, name);
  const auto norm = make_normalizer<double>(name, NormalizerShape{kQueryDim}, opt, init);
  Rng data(2, "data");
  const Var<double> scores(random_matrix(kRows, kKeys, data, -2, 2), true);
  const Var<double> query(random_matrix(kRows, kQueryDim, data), true);
  const MatD masks[] = {row_mask(), shared_mask()};
  const bool sums_to_one = norm->rows_sum_to_one();

  // rows and masks
  for (const MatD* mask : {static_cast<const MatD*>(nullptr), &masks[0], &masks[1]}) {
    INFO("mask " << (mask ? shape_str(*mask) : std::string("none")));
    Rng rng(3, "normalize");
    auto ctx = generic_context<double>(mask, &rng, &query);
    const Var<double> w = norm->normalize(scores, ctx);
    check_rows<double>(w.value(), mask, sums_to_one, 1e-12);
    if (ctx.log_prob.defined()) {  // a sampling normalizer: log p(choice) per row, finite, <= 0
      REQUIRE(ctx.log_prob.rows() == kRows);
      REQUIRE(ctx.log_prob.cols() == 1);
      CHECK(ctx.log_prob.value().allFinite());
      CHECK(ctx.log_prob.value().maxCoeff() <= 0);
    }
  }

  // a fully masked row is an error, whatever the mask's shape
  {
    MatD full_row = row_mask();
    full_row.row(1).setOnes();
    const MatD full_shared = MatD::Ones(1, kKeys);
    for (const MatD* mask : {static_cast<const MatD*>(&full_row), &full_shared}) {
      Rng rng(3, "normalize");
      auto ctx = generic_context<double>(mask, &rng, &query);
      CHECK_THROWS_AS(norm->normalize(scores, ctx), std::invalid_argument);
    }
  }

  if (norm->differentiable()) {
    // Jacobian in the scores, the query and the normalizer's parameters, with and without a mask
    V inputs{scores, query};
    for (const auto& p : norm->parameters()) inputs.push_back(p);
    for (const MatD* mask : {static_cast<const MatD*>(nullptr), &masks[0]}) {
      INFO("mask " << (mask ? shape_str(*mask) : std::string("none")));
      const VarFn f = [&](const V& x) {
        Rng rng(4, "grad");
        auto ctx = generic_context<double>(mask, &rng, &x[1]);
        return norm->normalize(x[0], ctx);
      };
      CHECK(check_gradient(f, inputs) < 1e-6);
      CHECK(check_backward_adds(f, inputs) < 1e-12);
    }
    // the check is not vacuous: the scores and every parameter receive a gradient
    Rng rng(4, "grad");
    auto ctx = generic_context<double>(nullptr, &rng, &query);
    const Var<double> w = norm->normalize(scores, ctx);
    Var<double> s = scores;
    s.zero_grad();
    for (auto& p : norm->named_parameters()) p.var.zero_grad();
    backward(sum(mul(w, constant<double>(random_matrix(kRows, kKeys, data)))));
    CHECK(s.grad().norm() > 0);
    for (const auto& p : norm->named_parameters()) {
      INFO("parameter " << p.name);
      CHECK(p.var.grad().norm() > 0);
    }
  } else {
    // hard attention: no gradient through the choice reaches the scores
    Rng rng(4, "grad");
    auto ctx = generic_context<double>(nullptr, &rng, &query);
    const Var<double> w = norm->normalize(scores, ctx);
    if (w.requires_grad()) {
      Var<double> s = scores;
      s.zero_grad();
      backward(sum(mul(w, constant<double>(random_matrix(kRows, kKeys, data)))));
      CHECK(s.grad().norm() == 0);
    }
  }

  // a sampling normalizer's log p(choice) is differentiable in the scores (fixed draws)
  {
    Rng probe_rng(4, "grad");
    auto probe = generic_context<double>(&masks[0], &probe_rng, &query);
    norm->normalize(scores, probe);
    if (probe.log_prob.defined()) {
      const VarFn f = [&](const V& x) {
        Rng rng(4, "grad");
        auto ctx = generic_context<double>(&masks[0], &rng, &query);
        norm->normalize(x[0], ctx);
        return ctx.log_prob;
      };
      CHECK(check_gradient(f, {scores}) < 1e-6);
    }
  }

  // the float instantiation keeps the same contract
  {
    Rng init_f(1, name);
    const auto norm_f = make_normalizer<float>(name, NormalizerShape{kQueryDim}, opt, init_f);
    const MatF mask_f = masks[0].cast<float>();
    const Var<float> scores_f(MatF(scores.value().cast<float>()), true);
    const Var<float> query_f(MatF(query.value().cast<float>()), true);
    Rng rng(3, "normalize");
    auto ctx = generic_context<float>(&mask_f, &rng, &query_f);
    check_rows<float>(norm_f->normalize(scores_f, ctx).value(), &mask_f, sums_to_one, 1e-5);
  }
}

std::vector<int> arg_max_rows(const MatD& w) {
  std::vector<int> out;
  for (Index r = 0; r < w.rows(); ++r) {
    Index a = 0;
    w.row(r).maxCoeff(&a);
    out.push_back(static_cast<int>(a));
  }
  return out;
}

Options options(std::initializer_list<std::pair<const char*, const char*>> kv) {
  Options o;
  for (const auto& [k, v] : kv) o.set(k, std::string(v));
  return o;
}

}  // namespace

TEST_CASE("every registered normalizer keeps the contract (rows, masks, gradients)", "[normalizers][registry]") {
  const auto names = normalizers<double>().names();
  CHECK(names == normalizers<float>().names());
  for (const char* expected : {"softmax", "sparsemax", "hardmax", "sampled", "local"}) {
    INFO(expected);
    CHECK(normalizers<double>().contains(expected));
  }
  for (const auto& name : names) check_contract(name, Options{});
}

TEST_CASE("the contract holds for non-default options too", "[normalizers]") {
  check_contract("softmax", options({{"temperature", "0.25"}}));
  check_contract("sampled", options({{"temperature", "3"}}));
  check_contract("local", options({{"mode", "window"}, {"width", "1"}}));
  check_contract("local", options({{"mode", "predictive"}, {"width", "2"}, {"hidden", "3"}}));
}

TEST_CASE("every normalizer rejects unknown options, naming them", "[normalizers][errors]") {
  for (const auto& name : normalizers<double>().names()) {
    INFO("normalizer " << name);
    Rng rng(5);
    CHECK_THROWS_WITH(make_normalizer<double>(name, NormalizerShape{kQueryDim}, options({{"tmperature", "2"}}), rng),
                      Catch::Contains("tmperature"));
  }
}

TEST_CASE("softmax divides the scores by the temperature", "[normalizers]") {
  Rng rng(6);
  MatD s(1, 3);
  s << 1.0, 2.0, -0.5;
  for (double t : {1.0, 0.5, 4.0}) {
    INFO("temperature " << t);
    auto norm = make_normalizer<double>("softmax", {}, options({{"temperature", std::to_string(t).c_str()}}), rng);
    NormalizeContext<double> ctx;
    const MatD w = norm->normalize(Var<double>(s), ctx).value();
    const MatD e = (s.array() / t).exp().matrix();
    CHECK((w - e / e.sum()).cwiseAbs().maxCoeff() < 1e-15);
  }
  // a low temperature sharpens toward the arg-max
  auto cold = make_normalizer<double>("softmax", {}, options({{"temperature", "0.01"}}), rng);
  NormalizeContext<double> ctx;
  CHECK(cold->normalize(Var<double>(s), ctx).value()(0, 1) > 1 - 1e-12);
  CHECK_THROWS_WITH(make_normalizer<double>("softmax", {}, options({{"temperature", "0"}}), rng),
                    Catch::StartsWith("temperature: must be > 0"));
  CHECK_THROWS_WITH(make_normalizer<double>("softmax", {}, options({{"temperature", "-1"}}), rng),
                    Catch::StartsWith("temperature"));
}

TEST_CASE("sparsemax gives exact zeros and the simplex projection of a hand example", "[normalizers]") {
  Rng rng(7);
  auto norm = make_normalizer<double>("sparsemax", {}, {}, rng);
  MatD s(1, 4);
  s << 1.0, 0.8, 0.1, -1.0;
  // support {0, 1}: tau = (1.0 + 0.8 - 1) / 2 = 0.4 -> (0.6, 0.4, 0, 0)
  NormalizeContext<double> ctx;
  MatD w = norm->normalize(Var<double>(s), ctx).value();
  CHECK(w(0, 0) == Approx(0.6).margin(1e-15));
  CHECK(w(0, 1) == Approx(0.4).margin(1e-15));
  CHECK(w(0, 2) == 0.0);
  CHECK(w(0, 3) == 0.0);
  // masking position 0: support {1, 2}, tau = (0.8 + 0.1 - 1) / 2 = -0.05 -> (0, 0.85, 0.15, 0)
  MatD mask = MatD::Zero(1, 4);
  mask(0, 0) = 1;
  ctx.mask = &mask;
  w = norm->normalize(Var<double>(s), ctx).value();
  CHECK(w(0, 0) == 0.0);
  CHECK(w(0, 1) == Approx(0.85).margin(1e-15));
  CHECK(w(0, 2) == Approx(0.15).margin(1e-15));
  CHECK(w(0, 3) == 0.0);
}

TEST_CASE("hardmax picks the arg-max, only the values get a gradient through Attention", "[normalizers]") {
  Rng rng(8);
  auto norm = make_normalizer<double>("hardmax", {}, {}, rng);
  CHECK_FALSE(norm->differentiable());
  MatD s(2, 4);
  s << 0.1, 0.7, 0.3, 0.7,   // tie: the first arg-max
      2.0, -1.0, 0.5, 1.5;
  NormalizeContext<double> ctx;
  const Var<double> scores(s, true);
  const Var<double> w = norm->normalize(scores, ctx);
  CHECK_FALSE(w.requires_grad());
  CHECK(arg_max_rows(w.value()) == std::vector<int>{1, 0});
  CHECK(w.value().sum() == 2.0);
  MatD mask = MatD::Zero(2, 4);
  mask(1, 0) = 1;  // the arg-max of row 1 masked: the next best
  ctx.mask = &mask;
  CHECK(arg_max_rows(norm->normalize(scores, ctx).value()) == std::vector<int>{1, 3});

  Attention<double> attention("dot", ScoreShape{3, 3}, {}, "hardmax", {}, rng);
  const Var<double> q(random_matrix(2, 3, rng), true), keys(random_matrix(5, 3, rng), true),
      values(random_matrix(5, 2, rng), true);
  const auto res = attention(q, keys, values);
  CHECK(arg_max_rows(res.weights.value()) == arg_max_rows(q.value() * keys.value().transpose()));
  backward(sum(mul(res.output, constant<double>(random_matrix(2, 2, rng)))));
  CHECK(q.grad().size() == 0);     // no gradient reached the query ...
  CHECK(keys.grad().size() == 0);  // ... nor the keys
  REQUIRE(values.grad().size() == 10);
  CHECK(values.grad().norm() > 0);  // the chosen values' rows did
}

TEST_CASE("sampled draws from softmax in training and takes the arg-max in evaluation", "[normalizers]") {
  Rng rng(9);
  auto norm = make_normalizer<double>("sampled", {}, {}, rng);
  CHECK_FALSE(norm->differentiable());
  MatD s(1, 3);
  s << 0.0, 1.0, std::log(2.0);  // p = (1, e, 2) / (3 + e)
  const double z = 3 + std::exp(1.0);
  NormalizeContext<double> ctx;  // evaluation: no rng needed
  const Var<double> scores(s, true);
  CHECK(arg_max_rows(norm->normalize(scores, ctx).value()) == std::vector<int>{1});
  CHECK(ctx.log_prob.item() == Approx(std::log(std::exp(1.0) / z)).epsilon(1e-14));
  ctx.training = true;  // training without a stream is an error
  CHECK_THROWS_WITH(norm->normalize(scores, ctx), Catch::Contains("ctx.rng"));
  // frequencies over 20000 draws within 4 standard errors of p
  Rng draws(10, "draws");
  ctx.rng = &draws;
  const int n = 20000;
  std::vector<int> count(3, 0);
  for (int i = 0; i < n; ++i) ++count[static_cast<size_t>(arg_max_rows(norm->normalize(scores, ctx).value())[0])];
  const double p[3] = {1 / z, std::exp(1.0) / z, 2 / z};
  for (int j = 0; j < 3; ++j) {
    INFO("position " << j << " count " << count[static_cast<size_t>(j)]);
    CHECK(std::abs(count[static_cast<size_t>(j)] / double(n) - p[j]) < 4 * std::sqrt(p[j] * (1 - p[j]) / n));
  }
}

TEST_CASE("window local attention masks exactly the positions outside [p - D, p + D]", "[normalizers]") {
  Rng rng(11);
  const Var<double> scores(random_matrix(2, 8, rng), true);
  for (Index d : {0, 2}) {
    auto norm = make_normalizer<double>("local", {}, options({{"mode", "window"}, {"width", d ? "2" : "0"}}), rng);
    CHECK(norm->rows_sum_to_one());
    CHECK(norm->num_parameters() == 0);
    for (Index p : {0, 1, 4, 7}) {
      INFO("width " << d << " position " << p);
      NormalizeContext<double> ctx;
      ctx.position = p;
      const MatD w = norm->normalize(scores, ctx).value();
      for (Index r = 0; r < 2; ++r) {
        CHECK(w.row(r).sum() == Approx(1).margin(1e-14));
        for (Index c = 0; c < 8; ++c) {
          INFO("col " << c);
          if (c < p - d || c > p + d) CHECK(w(r, c) == 0.0);
          else CHECK(w(r, c) > 0.0);
        }
      }
      // inside the window the weights are the softmax of the window's scores
      const Index lo = std::max<Index>(0, p - d), len = std::min<Index>(7, p + d) - lo + 1;
      const MatD e = scores.value().middleCols(lo, len).array().exp().matrix();
      const MatD expected = e.array().colwise() / e.rowwise().sum().array();
      CHECK((w.middleCols(lo, len) - expected).cwiseAbs().maxCoeff() < 1e-15);
    }
  }
  auto norm = make_normalizer<double>("local", {}, options({{"mode", "window"}, {"width", "2"}}), rng);
  NormalizeContext<double> ctx;  // no position
  CHECK_THROWS_WITH(norm->normalize(scores, ctx), Catch::Contains("ctx.position"));
  ctx.position = 8;
  CHECK_THROWS_WITH(norm->normalize(scores, ctx), Catch::Contains("ctx.position") && Catch::Contains("got 8"));
  // a mask that closes the whole window of a row is a fully masked row
  ctx.position = 1;
  MatD mask = MatD::Zero(1, 8);
  mask.leftCols(4).setOnes();
  ctx.mask = &mask;
  CHECK_THROWS_WITH(norm->normalize(scores, ctx), Catch::Contains("window [0, 3]"));
  CHECK_THROWS_WITH(make_normalizer<double>("local", {}, options({{"mode", "window"}, {"hidden", "3"}}), rng),
                    Catch::StartsWith("hidden"));
  CHECK_THROWS_WITH(make_normalizer<double>("local", {}, options({{"mode", "window"}, {"width", "-1"}}), rng),
                    Catch::StartsWith("width: must be >= 0, got -1"));
  CHECK_THROWS_WITH(make_normalizer<double>("local", {}, options({{"mode", "windw"}}), rng),
                    Catch::Contains("did you mean window"));
}

TEST_CASE("predictive local attention: Luong's formula, the center moves with the query", "[normalizers]") {
  Rng rng(12);
  const Index n = 6, dq = kQueryDim;
  auto norm = make_normalizer<double>("local", NormalizerShape{dq}, options({{"width", "4"}}), rng);
  CHECK_FALSE(norm->rows_sum_to_one());
  const auto params = norm->named_parameters();
  REQUIRE(params.size() == 2);
  REQUIRE(params[0].name == "w_p");
  REQUIRE(params[1].name == "v_p");
  const MatD Wp = params[0].var.value(), vp = params[1].var.value();
  CHECK(Wp.rows() == dq);
  CHECK(Wp.cols() == 16);  // hidden defaults to 16
  CHECK(vp.rows() == 16);

  // W_t(s) = softmax(S_t)(s) exp(-(s - p_t)^2 / (2 sigma^2)), p_t = n sigmoid(v_p^T tanh(W_p^T q_t)), sigma = D/2
  const Var<double> scores(random_matrix(3, n, rng, -2, 2)), query(random_matrix(3, dq, rng, -2, 2));
  NormalizeContext<double> ctx;
  ctx.query = &query;
  const MatD w = norm->normalize(scores, ctx).value();
  for (Index t = 0; t < 3; ++t) {
    const double a = ((query.value().row(t) * Wp).array().tanh().matrix() * vp)(0, 0);
    const double p = n / (1 + std::exp(-a));
    const MatD e = scores.value().row(t).array().exp().matrix();
    for (Index s = 0; s < n; ++s) {
      const double expected = e(0, s) / e.sum() * std::exp(-(s - p) * (s - p) / (2 * 2.0 * 2.0));
      CHECK(w(t, s) == Approx(expected).epsilon(1e-13));
    }
    CHECK(w.row(t).sum() < 1);  // not renormalized after the Gaussian
  }

  // With flat scores the weights peak at the position nearest p_t. Fix W_p and v_p so that
  // p_t = n sigmoid(4 tanh(q_0)): q_0 = -3, 0, 3 put the peak at the start, middle and end.
  Var<double> wp_var = params[0].var, vp_var = params[1].var;
  wp_var.mutable_value().setZero();
  wp_var.mutable_value()(0, 0) = 1;
  vp_var.mutable_value().setZero();
  vp_var.mutable_value()(0, 0) = 4;
  MatD q = MatD::Zero(3, dq);
  q(0, 0) = -3;
  q(2, 0) = 3;
  const Var<double> moving(q);
  ctx.query = &moving;
  const MatD flat = norm->normalize(Var<double>(MatD::Zero(3, n)), ctx).value();
  CHECK(arg_max_rows(flat) == std::vector<int>{0, 3, 5});

  ctx.query = nullptr;  // the query is required
  CHECK_THROWS_WITH(norm->normalize(scores, ctx), Catch::Contains("ctx.query"));
  const Var<double> wrong(MatD::Zero(3, dq + 1));
  ctx.query = &wrong;
  CHECK_THROWS_WITH(norm->normalize(scores, ctx), Catch::Contains("[3 x 5]"));
  CHECK_THROWS_WITH(make_normalizer<double>("local", NormalizerShape{dq}, options({{"width", "0"}}), rng),
                    Catch::StartsWith("width"));
  CHECK_THROWS_WITH(make_normalizer<double>("local", NormalizerShape{0}, {}, rng), Catch::Contains("query_dim"));

  // by name through Attention, which passes the query itself
  Attention<double> attention("dot", ScoreShape{dq, dq}, {}, "local", {}, rng);
  const auto res = attention(Var<double>(random_matrix(2, dq, rng)), Var<double>(random_matrix(n, dq, rng)),
                             Var<double>(random_matrix(n, 3, rng)));
  CHECK(res.weights.rows() == 2);
  CHECK(res.output.cols() == 3);
}

TEST_CASE("REINFORCE through the sampled normalizer is unbiased, a baseline lowers its variance",
          "[normalizers][reinforce]") {
  // E_{i ~ softmax(s)}[f(i)] has the exact gradient dE/ds_j = p_j (f_j - E f).
  MatD s(1, 4);
  s << 0.5, -0.3, 1.2, 0.1;
  const double f[4] = {1.0, 3.0, 2.0, 5.0};
  const MatD p = (s.array().exp() / s.array().exp().sum()).matrix();
  double expected_f = 0;
  for (int j = 0; j < 4; ++j) expected_f += p(0, j) * f[j];
  MatD exact(1, 4);
  for (int j = 0; j < 4; ++j) exact(0, j) = p(0, j) * (f[j] - expected_f);

  Rng init(13);
  auto norm = make_normalizer<double>("sampled", {}, {}, init);
  const int n = 20000;
  struct Estimate {
    MatD mean, variance;  // per component, over the n single-sample estimates
  };
  const auto estimate = [&](double baseline) {
    Rng rng(14, "reinforce");  // the same draws for both baselines
    MatD sum = MatD::Zero(1, 4), sum2 = MatD::Zero(1, 4);
    for (int k = 0; k < n; ++k) {
      Var<double> scores(s, true);
      NormalizeContext<double> ctx;
      ctx.rng = &rng;
      ctx.training = true;
      const int i = arg_max_rows(norm->normalize(scores, ctx).value())[0];
      backward(reinforce_surrogate(ctx.log_prob, MatD::Constant(1, 1, f[i]), MatD::Constant(1, 1, baseline)));
      const MatD g = -scores.grad();  // (f(i) - b) d log p_i / ds: an estimate of dE/ds
      sum += g;
      sum2 += g.cwiseProduct(g);
    }
    const MatD mean = sum / n;
    return Estimate{mean, ((sum2 / n - mean.cwiseProduct(mean)) * (double(n) / (n - 1)))};
  };
  const Estimate plain = estimate(0.0), centered = estimate(expected_f);
  for (const auto* e : {&plain, &centered}) {
    for (int j = 0; j < 4; ++j) {
      const double standard_error = std::sqrt(e->variance(0, j) / n);
      INFO((e == &plain ? "b = 0" : "b = E f") << ", component " << j << ": mean " << e->mean(0, j) << " exact "
                                               << exact(0, j) << " standard error " << standard_error);
      CHECK(standard_error > 0);
      CHECK(std::abs(e->mean(0, j) - exact(0, j)) < 4 * standard_error);
    }
  }
  INFO("total variance, b = 0: " << plain.variance.sum() << ", b = E f: " << centered.variance.sum());
  CHECK(centered.variance.sum() < 0.5 * plain.variance.sum());
}

TEST_CASE("reinforce_surrogate and MovingAverageBaseline", "[normalizers][reinforce]") {
  const Var<double> log_prob(MatD::Constant(2, 1, -0.5), true);
  MatD reward(2, 1), baseline(1, 1);
  reward << 3, 1;
  baseline << 1;
  // -((3 - 1) (-0.5) + (1 - 1) (-0.5)) = 1
  CHECK(reinforce_surrogate(log_prob, reward, baseline).item() == 1.0);
  const VarFn f = [&](const V& x) { return reinforce_surrogate(x[0], reward, baseline); };
  CHECK(check_gradient(f, {log_prob}) < 1e-6);
  CHECK(check_backward_adds(f, {log_prob}) < 1e-12);
  CHECK_THROWS_WITH(reinforce_surrogate(log_prob, MatD::Zero(3, 1), baseline), Catch::Contains("[3 x 1]"));
  CHECK_THROWS_WITH(reinforce_surrogate(Var<double>(MatD::Zero(1, 2)), reward, baseline), Catch::Contains("[1 x 2]"));

  MovingAverageBaseline b(options({{"decay", "0.75"}}));
  CHECK(b.decay() == 0.75);
  CHECK(b.value() == 0);
  b.update(4);  // the first reward is taken as is
  CHECK(b.value() == 4);
  b.update(8);  // 0.75 * 4 + 0.25 * 8
  CHECK(b.value() == 5);
  CHECK(b.updates() == 2);
  MovingAverageBaseline resumed(0.75);
  resumed.restore(b.value(), b.updates());
  b.update(1);
  resumed.update(1);
  CHECK(resumed.value() == b.value());
  CHECK(MovingAverageBaseline().decay() == 0.9);
  CHECK_THROWS_WITH(MovingAverageBaseline(options({{"decay", "1"}})), Catch::StartsWith("decay"));
  CHECK_THROWS_WITH(MovingAverageBaseline(options({{"decy", "0.5"}})), Catch::Contains("did you mean decay"));
}
