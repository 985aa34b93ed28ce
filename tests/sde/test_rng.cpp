// CounterRng: Random123's Philox bits, one transform shared bit for bit by the scalar and the block
// paths, and the statistics of the normals it produces.
#include "sde/noise.hpp"
#include "sde/rng.hpp"
#include "sde_test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

using relax::CounterRng;
using relax::StepDraws;
namespace t = relax::testing;

namespace {

template <typename Real> bool same_bits(Real a, Real b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

constexpr std::size_t million = 1000000;

} // namespace

TEST_CASE("Philox4x32-10 matches Random123's known-answer vector", "[sde][rng]") {
  // Random123 kat_vectors: philox4x32 10, counter 0, key 0 -> 6627e8d5 e169c58d bc57ac4c 9b00dbd8.
  const CounterRng rng(0, 0);
  const CounterRng::Bits b = rng.bits(0, 0, 0);
  CHECK(b[0] == 0x6627e8d5U);
  CHECK(b[1] == 0xe169c58dU);
  CHECK(b[2] == 0xbc57ac4cU);
  CHECK(b[3] == 0x9b00dbd8U);
}

TEST_CASE("Block paths give the scalar values bit for bit at every SIMD level, block position "
          "and size",
          "[sde][rng]") {
  // Blocks shorter than, equal to and longer than the kernel chunk, starting below and crossing
  // id 2^32 (the counter's high word), so every particle lands in some vector lane and in the
  // padded tail of some call; for each instruction-set level this CPU runs (the scalar path is
  // portable C++).
  std::size_t mismatches = 0;
  std::size_t compared = 0;
  std::string levels;
  for (const relax::SimdLevel level : relax::supported_simd_levels()) {
    levels += relax::to_string(level) + "; ";
    const CounterRng rng(20240607, 5, level);
    for (const std::size_t n : {1UL, 3UL, 63UL, 64UL, 65UL, 130UL, 257UL}) {
      for (const std::uint64_t first : {0ULL, 17ULL, 0xffffffe0ULL, 0x123456789abULL}) {
        const std::uint32_t step = static_cast<std::uint32_t>(n * 7);
        const std::uint32_t draw = static_cast<std::uint32_t>(first % 5);
        std::vector<double> u(2 * n);
        std::vector<double> z(2 * n);
        std::vector<float> q(4 * n);
        rng.uniform_pairs(first, n, step, draw, u.data(), n);
        rng.normal_pairs(first, n, step, draw, z.data(), n);
        rng.normal_quads(first, n, step, draw, q.data(), n);
        for (std::size_t p = 0; p < n; ++p) {
          const auto us = rng.uniform_pair(first + p, step, draw);
          const auto zs = rng.normal_pair(first + p, step, draw);
          const auto qs = rng.normal_quad(first + p, step, draw);
          for (std::size_t j = 0; j < 2; ++j) {
            mismatches += same_bits(us[j], u[j * n + p]) ? 0 : 1;
            mismatches += same_bits(zs[j], z[j * n + p]) ? 0 : 1;
          }
          for (std::size_t j = 0; j < 4; ++j) {
            mismatches += same_bits(qs[j], q[j * n + p]) ? 0 : 1;
          }
          compared += 8;
        }
      }
    }
  }
  CAPTURE(levels, compared);
  CHECK(mismatches == 0);
}

TEST_CASE("The uniforms are the stated maps of Philox's words", "[sde][rng]") {
  const CounterRng rng(3, 1);
  const std::size_t n = 1000;
  std::vector<double> u(2 * n);
  rng.uniform_pairs(40, n, 9, 2, u.data(), n);
  for (std::size_t p = 0; p < n; ++p) {
    const CounterRng::Bits b = rng.bits(40 + p, 9, 2);
    // (k + 1/2) 2^-52 with k the top 52 bits of the 64-bit word pair
    const auto k0 = static_cast<double>(((std::uint64_t{b[0]} << 32) | b[1]) >> 12);
    const auto k1 = static_cast<double>(((std::uint64_t{b[2]} << 32) | b[3]) >> 12);
    REQUIRE(u[p] == (k0 + 0.5) * 0x1p-52);
    REQUIRE(u[n + p] == (k1 + 0.5) * 0x1p-52);
    REQUIRE(CounterRng::to_open_unit(b[0]) ==
            static_cast<float>((static_cast<double>(b[0] >> 8) + 0.5) * 0x1p-24));
  }
  // The extremes stay inside (0, 1).
  CHECK(CounterRng::to_open_unit(0U, 0U) == 0x1p-53);
  CHECK(CounterRng::to_open_unit(0xffffffffU, 0xffffffffU) == 1.0 - 0x1p-53);
  CHECK(CounterRng::to_open_unit(0U) == 0x1p-25F);
  CHECK(CounterRng::to_open_unit(0xffffffffU) == 1.0F - 0x1p-25F);
}

TEST_CASE("The normals are the Box–Muller transform of the uniforms", "[sde][rng]") {
  // relax's own log/cos/sin kernels against libm in double: 1 ulp (log) and 2e-16 (cos, sin) give
  // |z - z_libm| <= 8.6 * (4 eps) for |z| <= 8.6; floats: 2^-24 relative in log, 1.1e-7 absolute
  // in cos/sin -> 16 float eps * (1 + |z|).
  const CounterRng rng(11, 0);
  double worst_double = 0;
  double worst_float = 0;
  for (std::uint64_t id = 0; id < 200000; ++id) {
    const CounterRng::Bits b = rng.bits(id, 1, 0);
    const auto [u1, u2] = rng.uniform_pair(id, 1, 0);
    const double r = std::sqrt(-2.0 * std::log(u1));
    const auto z = rng.normal_pair(id, 1, 0);
    worst_double = std::max({worst_double, std::abs(z[0] - r * std::cos(2 * M_PI * u2)),
                             std::abs(z[1] - r * std::sin(2 * M_PI * u2))});
    const auto q = rng.normal_quad(id, 1, 0);
    for (int pair = 0; pair < 2; ++pair) {
      const double v1 = CounterRng::to_open_unit(b[2 * pair]);
      const double v2 = CounterRng::to_open_unit(b[2 * pair + 1]);
      const double rf = std::sqrt(-2.0 * std::log(v1));
      const double zc = rf * std::cos(2 * M_PI * v2);
      const double zs = rf * std::sin(2 * M_PI * v2);
      worst_float = std::max({worst_float, std::abs(q[2 * pair] - zc) / (1 + std::abs(zc)),
                              std::abs(q[2 * pair + 1] - zs) / (1 + std::abs(zs))});
    }
  }
  const double worst_double_in_eps = worst_double / 0x1p-52; // Catch prints 10 decimals
  const double worst_float_in_eps = worst_float / 0x1p-24;
  CAPTURE(worst_double_in_eps, worst_float_in_eps);
  CHECK(worst_double_in_eps <= 8.6 * 4);
  CHECK(worst_float_in_eps <= 16);
}

TEST_CASE("Normals have the moments of N(0,1) on 10^6 draws (double and float)", "[sde][rng]") {
  // Within 5 standard errors: mean 1/sqrt(N), variance sqrt(2/N), skewness sqrt(6/N), excess
  // kurtosis sqrt(24/N).
  const CounterRng rng(1, 0);
  const std::size_t n = million / 2;
  std::vector<double> z(2 * n);
  rng.normal_pairs(0, n, 0, 0, z.data(), n);
  std::vector<float> q(4 * (n / 2));
  rng.normal_quads(0, n / 2, 0, 0, q.data(), n / 2);
  const auto check = [](const t::SampleMoments& m, double count) {
    CAPTURE(m.mean, m.variance, m.skewness, m.excess_kurtosis);
    CHECK(std::abs(m.mean) < 5 / std::sqrt(count));
    CHECK(std::abs(m.variance - 1) < 5 * std::sqrt(2 / count));
    CHECK(std::abs(m.skewness) < 5 * std::sqrt(6 / count));
    CHECK(std::abs(m.excess_kurtosis) < 5 * std::sqrt(24 / count));
  };
  check(t::sample_moments(z), static_cast<double>(z.size()));
  check(t::sample_moments(q), static_cast<double>(q.size()));
}

TEST_CASE("Normals pass a Kolmogorov–Smirnov test against N(0,1) on 10^6 draws", "[sde][rng]") {
  const CounterRng rng(2, 7);
  const std::size_t n = million / 2;
  std::vector<double> z(2 * n);
  rng.normal_pairs(123, n, 4, 1, z.data(), n);
  const t::KsResult ks_double = t::ks_test(z, t::normal_cdf);
  std::vector<float> q(4 * (n / 2));
  rng.normal_quads(123, n / 2, 4, 1, q.data(), n / 2);
  const t::KsResult ks_float = t::ks_test(q, t::normal_cdf);
  CAPTURE(ks_double.statistic, ks_double.pvalue, ks_float.statistic, ks_float.pvalue);
  CHECK(ks_double.pvalue > 1e-3);
  CHECK(ks_float.pvalue > 1e-3);
  // The test has power: a normal with standard deviation 1.01 is rejected at this size.
  std::vector<double> wide(z);
  for (double& v : wide) {
    v *= 1.01;
  }
  const t::KsResult ks_wide = t::ks_test(wide, t::normal_cdf);
  CAPTURE(ks_wide.pvalue);
  CHECK(ks_wide.pvalue < 1e-3);
}

TEST_CASE("Neighbouring ids, steps, draws and the two halves of a pair are uncorrelated",
          "[sde][rng]") {
  // |r| < 5 / sqrt(N) for independent streams.
  const CounterRng rng(9, 2);
  const std::size_t n = million;
  const auto stream = [&](std::uint64_t id0, std::uint32_t step, std::uint32_t draw, int half) {
    std::vector<double> z(2 * n);
    rng.normal_pairs(id0, n, step, draw, z.data(), n);
    return std::vector<double>(z.begin() + half * static_cast<long>(n),
                               z.begin() + (half + 1) * static_cast<long>(n));
  };
  const std::vector<double> base = stream(0, 10, 3, 0);
  const double bound = 5 / std::sqrt(static_cast<double>(n));
  const double r_id = t::correlation(base, stream(1, 10, 3, 0));   // particle id + 1
  const double r_step = t::correlation(base, stream(0, 11, 3, 0)); // step + 1
  const double r_draw = t::correlation(base, stream(0, 10, 4, 0)); // draw + 1
  const double r_half = t::correlation(base, stream(0, 10, 3, 1)); // cos vs sin half
  // Squares too: Box–Muller's halves share the radius, so their squares must still decorrelate.
  std::vector<double> sq_cos(base);
  std::vector<double> sq_sin = stream(0, 10, 3, 1);
  for (std::size_t i = 0; i < n; ++i) {
    sq_cos[i] *= sq_cos[i];
    sq_sin[i] *= sq_sin[i];
  }
  const double r_squares = t::correlation(sq_cos, sq_sin);
  CAPTURE(r_id, r_step, r_draw, r_half, r_squares, bound);
  CHECK(std::abs(r_id) < bound);
  CHECK(std::abs(r_step) < bound);
  CHECK(std::abs(r_draw) < bound);
  CHECK(std::abs(r_half) < bound);
  CHECK(std::abs(r_squares) < bound);
  // A different seed or stream gives a different sequence.
  CHECK(CounterRng(9, 2).bits(5, 5, 5) != CounterRng(10, 2).bits(5, 5, 5));
  CHECK(CounterRng(9, 2).bits(5, 5, 5) != CounterRng(9, 3).bits(5, 5, 5));
}

TEST_CASE("Step draws follow the documented counter rule in any block and window", "[sde][rng]") {
  // double: normal k of particle id at step n = normal_pair(id, n - n%2, k)[n%2]; float: quads
  // over four steps; uniforms: uniform_pair(id, n - n%2, k)[n%2].
  const CounterRng rng(77, 0);
  const std::size_t dim = 3;
  StepDraws<double> normals(rng, StepDraws<double>::Kind::normal, dim, 50);
  StepDraws<float> quads(rng, StepDraws<float>::Kind::normal, dim, 50);
  StepDraws<double> uniforms(rng, StepDraws<double>::Kind::uniform, dim, 50);
  std::size_t mismatches = 0;
  for (const std::uint64_t first : {0ULL, 13ULL}) {
    for (std::uint32_t n = 5; n < 14; ++n) { // starts mid-group: windows refill at odd steps
      const std::size_t count = first == 0 ? 50 : 7;
      const double* z = normals.at(first, count, n);
      const float* q = quads.at(first, count, n);
      const double* u = uniforms.at(first, count, n);
      for (std::size_t k = 0; k < dim; ++k) {
        for (std::size_t p = 0; p < count; ++p) {
          const auto draw = static_cast<std::uint32_t>(k);
          mismatches +=
              same_bits(z[k * 50 + p], rng.normal_pair(first + p, n - n % 2, draw)[n % 2]) ? 0 : 1;
          mismatches +=
              same_bits(q[k * 50 + p], rng.normal_quad(first + p, n - n % 4, draw)[n % 4]) ? 0 : 1;
          mismatches +=
              same_bits(u[k * 50 + p], rng.uniform_pair(first + p, n - n % 2, draw)[n % 2]) ? 0 : 1;
        }
      }
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("Log uniforms: within 1 ulp of libm, below 0 and below u - 1 where MALA assumes it, "
          "the same bits in every path",
          "[sde][rng]") {
  // MALA's test log u < log a (stream 1) takes log u from relax's log kernel: log_uniform_pair is
  // it on uniform_pair, log_units the batch path at every SIMD level (any length: chunk tails are
  // padded). MALA decides most proposals without the log from log u <= u - 1 (1 - u >= 2^-50) and
  // log u < 0, both checked here on the uniforms closest to 1 (u = 1 - (2j + 1) 2^-53).
  const CounterRng scalar(5, 1);
  double worst_ulps = 0;
  std::vector<double> u;
  for (std::uint64_t id = 0; id < 100000; ++id) {
    const auto pair = scalar.uniform_pair(id, 3, 0);
    const auto logs = scalar.log_uniform_pair(id, 3, 0);
    for (std::size_t j = 0; j < 2; ++j) {
      const double exact = std::log(pair[j]);
      worst_ulps =
          std::max(worst_ulps, std::abs(logs[j] - exact) /
                                   (std::nextafter(std::abs(exact), 1e300) - std::abs(exact)));
      u.push_back(pair[j]);
    }
  }
  CAPTURE(worst_ulps);
  CHECK(worst_ulps <= 1.0);
  std::vector<double> near_one;
  for (std::uint64_t j = 0; j < (1U << 14); ++j) {
    near_one.push_back(1.0 - static_cast<double>(2 * j + 1) * 0x1p-53);
  }
  std::size_t mismatches = 0;
  std::size_t bound_violations = 0;
  for (const relax::SimdLevel level : relax::supported_simd_levels()) {
    std::vector<double> logs(u.size());
    for (const std::size_t n : {1UL, 63UL, 64UL, 65UL, 257UL, u.size()}) {
      relax::log_units(n, u.data(), logs.data(), level);
      for (std::size_t p = 0; p < n; ++p) {
        mismatches += same_bits(logs[p], scalar.log_uniform_pair(p / 2, 3, 0)[p % 2]) ? 0 : 1;
      }
    }
    std::vector<double> near_logs(near_one.size());
    relax::log_units(near_one.size(), near_one.data(), near_logs.data(), level);
    for (std::size_t j = 0; j < near_one.size(); ++j) {
      bound_violations += near_logs[j] < 0 ? 0 : 1;
      const bool bounded = near_one[j] <= 1.0 - 0x1p-50;
      bound_violations += !bounded || near_logs[j] <= near_one[j] - 1.0 ? 0 : 1;
    }
  }
  CHECK(mismatches == 0);
  CHECK(bound_violations == 0);
}
