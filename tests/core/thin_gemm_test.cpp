// core/thin_gemm.h: the thin-product kernels at every instruction-set level this CPU runs, against
// the same products in double, and the float ops that use them (matmul, dot_softmax) against
// their double values and gradients.
#include "core/thin_gemm.h"

#include "core/gradcheck.h"
#include "core/ops.h"
#include "tests/test_util.h"

#include <catch2/catch.hpp>
#include <vector>

using namespace engram;
using engram::test::runnable_levels;
using engram::test::SimdCap;

namespace {

// max |got - want| relative to the largest |want|
double max_rel_error(const MatF& got, const MatD& want) {
  return (got.cast<double>() - want).cwiseAbs().maxCoeff() / std::max(1e-30, want.cwiseAbs().maxCoeff());
}

}  // namespace

TEST_CASE("thin products at every level equal the products in double, with strided blocks and row remainders",
          "[ops][simd]") {
  Rng rng(41, "thin-gemm");
  for (const SimdLevel level : runnable_levels()) {
    const detail::ThinGemmKernels& k = detail::thin_gemm_kernels(level);
    REQUIRE(k.level == level);
    for (const Index d : {16, 32})
      for (const auto& [m, n] : std::vector<std::pair<Index, Index>>{{1, 40}, {3, 33}, {5, 64}, {32, 32}, {35, 47}, {130, 257}}) {
        INFO("level " << simd_name(level) << ", A [" << m << " x " << n << "], d " << d);
        // every operand a block of a wider matrix (row strides differ from widths); C starts non-zero
        const MatD Awide = random_matrix(m, n + 5, rng), Bnn = random_matrix(n, d + 3, rng), Btn = random_matrix(m, d + 7, rng);
        const MatD Cnn0 = random_matrix(m + 2, d + 1, rng), Ctn0 = random_matrix(n, d + 2, rng);
        const MatF Af = Awide.cast<float>(), Bnnf = Bnn.cast<float>(), Btnf = Btn.cast<float>();
        MatF Cnn = Cnn0.cast<float>(), Ctn = Ctn0.cast<float>();
        k.nn(Af.data(), Af.cols(), Bnnf.data(), Bnnf.cols(), Cnn.data() + Cnn.cols(), Cnn.cols(), m, n, d);
        k.tn(Af.data(), Af.cols(), Btnf.data(), Btnf.cols(), Ctn.data(), Ctn.cols(), m, n, d);
        MatD want_nn = Cnn0, want_tn = Ctn0;
        want_nn.block(1, 0, m, d) += Awide.leftCols(n) * Bnn.leftCols(d);
        want_tn.leftCols(d) += Awide.leftCols(n).transpose() * Btn.leftCols(d);
        CHECK(max_rel_error(Cnn, want_nn) < 1e-5);
        CHECK(max_rel_error(Ctn, want_tn) < 1e-5);
        // nothing outside the result's block is touched
        CHECK(Cnn.row(0) == Cnn0.row(0).cast<float>());
        CHECK(Cnn.row(m + 1) == Cnn0.row(m + 1).cast<float>());
        CHECK(Cnn.col(d) == Cnn0.col(d).cast<float>());
        CHECK(Ctn.rightCols(2) == Ctn0.rightCols(2).cast<float>());
      }
  }
}

TEST_CASE("thin products serve d 16 from AVX2 up and d 32 at AVX-512, large factors of 32 x 32 or more", "[ops][simd]") {
  for (const SimdLevel level : runnable_levels()) {
    INFO("level " << simd_name(level));
    const SimdCap cap(level);
    const bool avx2 = level >= SimdLevel::avx2, avx512 = level == SimdLevel::avx512;
    CHECK(detail::thin_gemm_applies(32, 32, 16) == avx2);
    CHECK(detail::thin_gemm_applies(1024, 64, 32) == avx512);
    CHECK_FALSE(detail::thin_gemm_applies(31, 1024, 16));
    CHECK_FALSE(detail::thin_gemm_applies(1024, 31, 16));
    CHECK_FALSE(detail::thin_gemm_applies(1024, 1024, 64));
    CHECK_FALSE(detail::thin_gemm_applies(1024, 1024, 8));
  }
}

TEST_CASE("float matmul and dot_softmax through the thin kernels: values and gradients as in double", "[ops]") {
  Rng rng(42, "thin-ops");
  for (const SimdLevel level : runnable_levels()) {
    for (const Index d : {16, 32}) {
      INFO("level " << simd_name(level) << ", d " << d);
      const SimdCap cap(level);  // (the portable level and d 32 below AVX-512 take Eigen's path)
      // matmul: [70 x 90][90 x d] (the kernel's forward), its gradient a^T g (the transposed kernel)
      const MatD A = random_matrix(70, 90, rng), B = random_matrix(90, d, rng), G = random_matrix(70, d, rng);
      Var<double> ad(A, true), bd(B, true);
      Var<float> af(MatF(A.cast<float>()), true), bf(MatF(B.cast<float>()), true);
      const Var<double> yd = matmul(ad, bd);
      const Var<float> yf = matmul(af, bf);
      CHECK(max_rel_error(yf.value(), yd.value()) < 1e-5);
      backward(sum(mul(yd, constant<double>(G))));
      backward(sum(mul(yf, constant<float>(MatF(G.cast<float>())))));
      CHECK(max_rel_error(af.grad(), ad.grad()) < 1e-5);
      CHECK(max_rel_error(bf.grad(), bd.grad()) < 1e-5);
      // dot_softmax over 3 blocks of query rows (float: 128 KB / (4 x 300) = 109 rows a block)
      const MatD Q = random_matrix(250, d, rng), K = random_matrix(300, d, rng), H = random_matrix(250, 300, rng);
      Var<double> qd(Q, true), kd(K, true);
      Var<float> qf(MatF(Q.cast<float>()), true), kf(MatF(K.cast<float>()), true);
      const Var<double> wd = dot_softmax(qd, kd, 0.3);
      const Var<float> wf = dot_softmax(qf, kf, 0.3f);
      CHECK(max_rel_error(wf.value(), wd.value()) < 1e-5);
      backward(sum(mul(wd, constant<double>(H))));
      backward(sum(mul(wf, constant<float>(MatF(H.cast<float>())))));
      CHECK(max_rel_error(qf.grad(), qd.grad()) < 1e-5);
      CHECK(max_rel_error(kf.grad(), kd.grad()) < 1e-5);
    }
  }
}
