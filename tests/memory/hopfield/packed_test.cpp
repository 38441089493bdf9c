// The bit-packed Hebbian retrieval against the dense BinaryHopfield network: same overlaps,
// fields and one-step updates, and bit-identical runs (states, sweeps, flags, energies) for
// synchronous and asynchronous dynamics, for N not a multiple of 64 and any thread count.
#include "core/parallel.h"
#include "memory/hopfield/binary.h"
#include "memory/hopfield/packed.h"
#include "memory/hopfield/packed_kernels.h"
#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <vector>

using namespace engram;
using namespace engram::hopfield;
using engram::test::runnable_levels;
using engram::test::SimdCap;

namespace {

void require_same_runs(const BatchResult& a, const BatchResult& b) {
  REQUIRE(a.states == b.states);
  REQUIRE(a.stats.size() == b.stats.size());
  for (size_t i = 0; i < a.stats.size(); ++i) {
    INFO("probe " << i);
    REQUIRE(a.stats[i].sweeps == b.stats[i].sweeps);
    REQUIRE(a.stats[i].converged == b.stats[i].converged);
    REQUIRE(a.stats[i].two_cycle == b.stats[i].two_cycle);
    REQUIRE(a.stats[i].energy == b.stats[i].energy);
    REQUIRE(a.stats[i].flip_energy == b.stats[i].flip_energy);
  }
}

}  // namespace

TEST_CASE("PackedStates round-trips and zeroes the padding", "[hopfield][packed]") {
  Rng rng(1, "pack");
  for (Index N : {Index{1}, Index{63}, Index{64}, Index{65}, Index{130}}) {
    const States x = random_patterns(7, N, rng);
    const PackedStates p(x);
    REQUIRE(p.words() == (N + 63) / 64);
    REQUIRE(p.unpack() == x);
    for (Index r = 0; r < p.rows(); ++r)
      if (N % 64) REQUIRE((p.row(r)[p.words() - 1] >> (N % 64)) == 0u);
  }
  REQUIRE_THROWS_WITH(PackedStates(States::Zero(2, 3)), Catch::Contains("must be +-1"));
}

TEST_CASE("packed overlaps, fields and one step match the dense Hebbian network", "[hopfield][packed]") {
  Rng rng(2, "fields");
  for (Index N : {Index{100}, Index{200}, Index{1000}}) {
    const Index P = N / 10;
    const States x = random_patterns(P, N, rng);
    const States probes = flip_bits(random_patterns(9, N, rng), 0.2, rng);
    const PackedHebbian packed(x);
    const BinaryHopfield dense = BinaryHopfield::store(x, *make_rule("hebbian"));
    // overlaps: exact integers x_mu . s
    const MatF m = probes * x.transpose();  // [B x P]
    REQUIRE(packed.overlaps(probes).cast<float>() == m);
    // fields: (X^T X - P I) s, i.e. N times the dense fields
    const MatF h = probes * hebbian_matrix(x);
    REQUIRE(packed.fields(probes).cast<float>() == h);
    REQUIRE(packed.one_step(probes) == dense.one_step(probes));
  }
}

TEST_CASE("packed retrieval equals dense retrieval bit for bit", "[hopfield][packed]") {
  ThreadPool pool(2);
  for (Index N : {Index{100}, Index{200}, Index{1000}}) {
    Rng rng(3, "equal/" + std::to_string(N));
    // loads around and above capacity, so that runs end in fixed points, 2-cycles and the
    // sweep limit; probes from stored patterns and from random states
    for (double alpha : {0.05, 0.14, 0.3}) {
      const Index P = std::max<Index>(1, Index(alpha * double(N)));
      const States x = random_patterns(P, N, rng);
      const Index B = N >= 1000 ? 24 : 60;
      States probes(B, N);
      probes.topRows(B / 2) = flip_bits(x.topRows(std::min(P, B / 2)).replicate(B, 1).topRows(B / 2), 0.15, rng);
      probes.bottomRows(B - B / 2) = random_patterns(B - B / 2, N, rng);
      const PackedHebbian packed(x);
      const BinaryHopfield dense = BinaryHopfield::store(x, *make_rule("hebbian"));
      for (Update u : {Update::synchronous, Update::asynchronous})
        for (int max_sweeps : {1, 3, 50}) {
          INFO("N=" << N << " alpha=" << alpha << " async=" << (u == Update::asynchronous) << " max=" << max_sweeps);
          RunOptions opt;
          opt.update = u;
          opt.max_sweeps = max_sweeps;
          opt.record_energy = true;
          opt.record_flips = u == Update::asynchronous && N <= 200;
          const Rng seed(4, "runs");
          const BatchResult d = dense.run_batch(probes, opt, seed);
          const BatchResult p = packed.run_batch(probes, opt, seed);
          require_same_runs(d, p);
          require_same_runs(p, packed.run_batch(probes, opt, seed, &pool));  // thread count
        }
    }
  }
}

TEST_CASE("packed retrieval of the empty memory (P = 0) equals the dense one", "[hopfield][packed]") {
  Rng rng(6, "empty");
  const States x(0, 70);
  const States probes = random_patterns(5, 70, rng);
  RunOptions opt;
  opt.record_energy = true;
  const BatchResult p = PackedHebbian(x).run_batch(probes, opt, rng);
  require_same_runs(p, BinaryHopfield::store(x, *make_rule("hebbian")).run_batch(probes, opt, rng));
  REQUIRE(p.states == States::Ones(5, 70));  // zero fields: sign(0) = +1
}

TEST_CASE("packed retrieval rejects bad input", "[hopfield][packed]") {
  Rng rng(5);
  const PackedHebbian packed(random_patterns(3, 70, rng));
  REQUIRE_THROWS_WITH(packed.run_batch(random_patterns(2, 71, rng), {}, rng),
                      Catch::Contains("PackedHebbian::run_batch") && Catch::Contains("[2 x 71]"));
  States bad = random_patterns(2, 70, rng);
  bad(1, 5) = 0.5f;
  REQUIRE_THROWS_WITH(packed.fields(bad), Catch::Contains("must be +-1") && Catch::Contains("row 1, column 5"));
  REQUIRE_THROWS_WITH(PackedHebbian(States::Ones(2, 40000)), Catch::Contains("N must be <= 32767"));
  RunOptions opt;
  opt.max_sweeps = 0;
  REQUIRE_THROWS_WITH(packed.run_batch(random_patterns(2, 70, rng), opt, rng), Catch::Contains("max_sweeps"));
}

namespace {

std::vector<std::uint64_t> random_words(Index n, Rng& rng) {
  std::vector<std::uint64_t> v(static_cast<size_t>(n));
  for (auto& w : v) w = rng.next_u64();
  return v;
}

}  // namespace

TEST_CASE("every instruction-set level of the packed kernels gives the portable level's integers", "[hopfield][packed][simd]") {
  INFO("CPU level " << simd_name(cpu_simd_level()));
  const auto& ref = detail::packed_kernels(SimdLevel::portable);
  Rng rng(11, "simd-kernels");
  for (SimdLevel level : runnable_levels()) {
    const auto& k = detail::packed_kernels(level);
    REQUIRE(k.level == level);
    // widths around the vector lengths: 1, 2 and odd word counts, rows not a multiple of 8
    for (Index words : {Index{1}, Index{2}, Index{3}, Index{17}})
      for (Index n : {Index{1}, Index{7}, Index{33}, Index{130}}) {
        INFO(simd_name(level) << " words=" << words << " n=" << n);
        const auto rows = random_words(n * words, rng), v = random_words(words, rng);
        std::vector<std::int32_t> a(static_cast<size_t>(n)), b(static_cast<size_t>(n));
        ref.xor_popcounts(rows.data(), n, words, v.data(), a.data());
        k.xor_popcounts(rows.data(), n, words, v.data(), b.data());
        REQUIRE(a == b);
        REQUIRE(k.hamming(rows.data(), v.data(), words) == ref.hamming(rows.data(), v.data(), words));
        std::vector<std::int32_t> ha(static_cast<size_t>(n), 5), hb(static_cast<size_t>(n), 5);
        ref.add_column_products(rows.data(), n, words, v.data(), -2, 100, ha.data());
        k.add_column_products(rows.data(), n, words, v.data(), -2, 100, hb.data());
        REQUIRE(ha == hb);
      }
    // the Hamming-table update: chunks of 64 columns, passes of 128 flips, flips to +1 then -1
    for (Index N : {Index{1}, Index{77}, Index{256}, Index{600}})
      for (int f : {1, 5, 128, 300})
        for (int f_plus : {0, 1, f / 2, f - 1, f}) {
          INFO(simd_name(level) << " N=" << N << " flips=" << f << " to +1: " << f_plus);
          std::vector<std::uint8_t> ham(static_cast<size_t>(N * N));
          for (auto& v : ham) v = std::uint8_t(rng.next_u64() % 256);
          std::vector<std::int32_t> js(static_cast<size_t>(f));
          for (auto& j : js) j = std::int32_t(rng.next_u64() % std::uint64_t(N));
          std::vector<std::int32_t> ha(static_cast<size_t>(N), 7), hb(static_cast<size_t>(N), 7), want(static_cast<size_t>(N), 7);
          for (int q = 0; q < f; ++q)
            for (Index i = 0; i < N; ++i) want[size_t(i)] += (q < f_plus ? 2 : -2) * (255 - 2 * ham[size_t(js[size_t(q)] * N + i)]);
          ref.add_flip_rows(ham.data(), N, js.data(), f_plus, f, 255, ha.data());
          k.add_flip_rows(ham.data(), N, js.data(), f_plus, f, 255, hb.data());
          REQUIRE(ha == want);
          REQUIRE(hb == want);
        }
    // signs packed and unpacked: int32 fields (0 counts as +) and float +-1, lengths around the
    // vector widths and the 64-bit words
    for (Index n : {Index{1}, Index{7}, Index{16}, Index{63}, Index{64}, Index{65}, Index{100}, Index{1030}}) {
      INFO(simd_name(level) << " n=" << n);
      const Index words = (n + 63) / 64;
      std::vector<std::int32_t> h(static_cast<size_t>(n));
      for (auto& v : h) v = std::int32_t(rng.next_u64() % 7) - 3;
      std::vector<std::uint64_t> bits(static_cast<size_t>(words), ~std::uint64_t{0}), want(static_cast<size_t>(words), 0);
      for (Index j = 0; j < n; ++j)
        if (h[size_t(j)] >= 0) want[size_t(j / 64)] |= std::uint64_t{1} << (j % 64);
      k.pack_signs(h.data(), n, bits.data());
      REQUIRE(bits == want);
      std::vector<float> s(static_cast<size_t>(n), 0.0f), f32(static_cast<size_t>(n));
      k.unpack_signs(bits.data(), n, s.data());
      for (Index j = 0; j < n; ++j) REQUIRE(s[size_t(j)] == (h[size_t(j)] >= 0 ? 1.0f : -1.0f));
      std::vector<std::uint64_t> again(static_cast<size_t>(words), ~std::uint64_t{0});
      k.pack_signs(s.data(), n, again.data());  // float states: the same bits
      REQUIRE(again == want);
    }
    // fields for 1 to 13 probes (blocks of 8, 4 and 1) and padded pattern lengths
    for (Index Pp : {Index{8}, Index{16}, Index{136}})
      for (int count : {1, 3, 4, 5, 8, 13}) {
        INFO(simd_name(level) << " Pp=" << Pp << " count=" << count);
        const Index N = 77, P = Pp - 3;
        std::vector<std::int16_t> xt(static_cast<size_t>(N * Pp)), m(static_cast<size_t>(count * Pp));
        for (auto& x : xt) x = std::int16_t(rng.next_u64() & 1 ? 1 : -1);
        for (auto& x : m) x = std::int16_t(Index(rng.next_u64() % 2001) - 1000);
        const auto s = random_words(count * 2, rng);
        std::vector<std::int32_t> ha(static_cast<size_t>(count * N)), hb(static_cast<size_t>(count * N));
        std::vector<const std::int16_t*> mp;
        std::vector<const std::uint64_t*> sp;
        std::vector<std::int32_t*> pa, pb;
        for (int r = 0; r < count; ++r) {
          mp.push_back(m.data() + r * Pp);
          sp.push_back(s.data() + 2 * r);
          pa.push_back(ha.data() + r * N);
          pb.push_back(hb.data() + r * N);
        }
        const std::vector<std::int16_t> xp = detail::pair_layout(xt.data(), N, Pp);
        ref.fields(xp.data(), N, Pp, std::int32_t(P), mp.data(), sp.data(), pa.data(), count);
        k.fields(xp.data(), N, Pp, std::int32_t(P), mp.data(), sp.data(), pb.data(), count);
        REQUIRE(ha == hb);
        for (int r = 0; r < count; ++r)  // the definition, at one unit of each probe
          for (Index i : {Index{0}, Index{40}, N - 1}) {
            std::int32_t want = ((s[size_t(2 * r + (i >> 6))] >> (i & 63)) & 1u) ? -std::int32_t(P) : std::int32_t(P);
            for (Index q = 0; q < Pp; ++q) want += std::int32_t(xt[size_t(i * Pp + q)]) * m[size_t(r * Pp + q)];
            REQUIRE(ha[size_t(r * N + i)] == want);
          }
      }
  }
}

TEST_CASE("packed retrieval is the same at every instruction-set level the CPU runs", "[hopfield][packed][simd]") {
  Rng rng(12, "simd-runs");
  const Index N = 300, P = 40;
  const States x = random_patterns(P, N, rng);
  const States probes = flip_bits(x.topRows(20), 0.2, rng);
  const PackedHebbian packed(x);
  for (Update u : {Update::synchronous, Update::asynchronous}) {
    RunOptions opt;
    opt.update = u;
    opt.record_energy = true;
    const Rng seed(13, "runs");
    BatchResult portable;
    {
      SimdCap cap(SimdLevel::portable);
      REQUIRE(simd_level() == SimdLevel::portable);
      portable = packed.run_batch(probes, opt, seed);
    }
    for (SimdLevel level : runnable_levels()) {
      SimdCap cap(level);
      REQUIRE(simd_level() == level);
      INFO(simd_name(level) << " async=" << (u == Update::asynchronous));
      require_same_runs(portable, packed.run_batch(probes, opt, seed));
    }
  }
}

TEST_CASE("simd levels: names round-trip and a cap never raises the level past the CPU", "[simd]") {
  for (auto l : {SimdLevel::portable, SimdLevel::avx2, SimdLevel::avx512}) REQUIRE(parse_simd_level(simd_name(l)) == l);
  REQUIRE_FALSE(parse_simd_level("sse9").has_value());
  SimdCap cap(SimdLevel::avx512);
  REQUIRE(simd_level() == cpu_simd_level());
}
