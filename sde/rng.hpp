// Counter-based random numbers for particles (docs/theory.md): Random123 Philox4x32-10 with
// key = (seed, stream) and counter = (particle id low, particle id high, step, draw). A number
// depends only on (seed, stream, particle id, step, draw), never on the rank that computes it, the
// order of evaluation, the block it is computed in, the CPU's vector width or a restart, which is
// what makes particle runs bit-identical at any rank count. Pure: no MPI.
//
// Transforms (one definition, shared bit for bit by the scalar and the block paths):
// * uniform (double): u = (k + 1/2) 2^-52, k the top 52 bits of a 64-bit word pair; u in (0, 1).
// * uniform (float):  u = (k + 1/2) 2^-24, k the top 24 bits of one 32-bit word; u in (0, 1).
// * log uniforms: log u of the double uniform by the log kernel of Box–Muller (below; log_units in
//   batch), so a Metropolis test log u < log alpha has the same bits in every path.
// * normals: Box–Muller, r = sqrt(-2 log u1), (r cos 2 pi u2, r sin 2 pi u2). log, cos and sin are
//   relax's own polynomial kernels (fdlibm's minimax coefficients; cos/sin reduce 2 pi u exactly by
//   quadrants of u), evaluated in IEEE arithmetic without contraction or fast-math, so a scalar, an
//   SSE2, an AVX2 and an AVX-512 evaluation give the same bits. Accuracy: double log 1 ulp, cos/sin
//   2e-16 absolute; float 1e-7. Tails: |z| <= 8.57 (double), <= 5.89 (float).
#pragma once

#include <Random123/philox.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace relax {

/// Instruction-set level of the block kernels: portable C++ (any CPU; SSE2 on x86-64), x86-64-v3
/// (AVX2) or x86-64-v4 (AVX-512). Every level gives the same bits; the block paths use the best
/// one the CPU runs unless a CounterRng is pinned to another (tests run each).
enum class SimdLevel { portable, avx2, avx512 };
/// The levels this CPU runs, from portable to the best.
std::vector<SimdLevel> supported_simd_levels();
SimdLevel best_simd_level();
std::string to_string(SimdLevel level);

class CounterRng {
public:
  using Bits = std::array<std::uint32_t, 4>;

  CounterRng(std::uint32_t seed, std::uint32_t stream, SimdLevel level = best_simd_level())
      : key_{{seed, stream}}, level_(level) {}

  std::uint32_t seed() const { return key_.v[0]; }
  std::uint32_t stream() const { return key_.v[1]; }

  /// The 128 random bits of one Philox call.
  Bits bits(std::uint64_t id, std::uint32_t step, std::uint32_t draw) const {
    const r123::Philox4x32::ctr_type counter = {
        {static_cast<std::uint32_t>(id), static_cast<std::uint32_t>(id >> 32), step, draw}};
    const auto out = r123::Philox4x32()(counter, key_);
    return {out.v[0], out.v[1], out.v[2], out.v[3]};
  }

  /// Two independent uniforms in (0, 1) from one Philox call: words (0, 1) and (2, 3).
  std::array<double, 2> uniform_pair(std::uint64_t id, std::uint32_t step,
                                     std::uint32_t draw) const {
    const Bits b = bits(id, step, draw);
    return {to_open_unit(b[0], b[1]), to_open_unit(b[2], b[3])};
  }

  /// The logs of uniform_pair, by relax's log kernel (the one of Box–Muller; within 1 ulp of log).
  std::array<double, 2> log_uniform_pair(std::uint64_t id, std::uint32_t step,
                                         std::uint32_t draw) const;

  /// Two independent standard normals from one Philox call: Box–Muller of the uniform_pair,
  /// (r cos 2 pi u2, r sin 2 pi u2) with r = sqrt(-2 log u1).
  std::array<double, 2> normal_pair(std::uint64_t id, std::uint32_t step, std::uint32_t draw) const;

  /// Four independent float standard normals from one Philox call: Box–Muller of the float
  /// uniforms of words (0, 1), then of words (2, 3); order (cos, sin, cos, sin).
  std::array<float, 4> normal_quad(std::uint64_t id, std::uint32_t step, std::uint32_t draw) const;

  // ---- Block paths. For p in [0, n), row j of the output holds value j of the counter
  // (first_id + p, step, draw): out[j * stride + p]. Bit-identical to the scalar functions above
  // for every p, whatever n, first_id or the position of the particle in the block.

  /// Rows 0, 1: uniform_pair.
  void uniform_pairs(std::uint64_t first_id, std::size_t n, std::uint32_t step, std::uint32_t draw,
                     double* out, std::size_t stride) const;
  /// Rows 0, 1: normal_pair.
  void normal_pairs(std::uint64_t first_id, std::size_t n, std::uint32_t step, std::uint32_t draw,
                    double* out, std::size_t stride) const;
  /// Rows 0..3: normal_quad.
  void normal_quads(std::uint64_t first_id, std::size_t n, std::uint32_t step, std::uint32_t draw,
                    float* out, std::size_t stride) const;

  /// Maps 64 random bits to (0, 1): (k + 1/2) 2^-52 with k the top 52 bits (exact in double).
  static double to_open_unit(std::uint32_t high, std::uint32_t low) {
    const std::uint64_t k = ((static_cast<std::uint64_t>(high) << 32) | low) >> 12;
    const std::uint64_t one_plus = k | 0x3ff0000000000000ULL; // 1 + k 2^-52, exactly
    double x = 0;
    std::memcpy(&x, &one_plus, sizeof x);
    return (x - 1.0) + 0x1p-53;
  }
  /// Maps 32 random bits to (0, 1): (k + 1/2) 2^-24 with k the top 24 bits (exact in float).
  static float to_open_unit(std::uint32_t word) {
    return static_cast<float>(static_cast<std::int32_t>(word >> 8)) * 0x1p-24F + 0x1p-25F;
  }

private:
  r123::Philox4x32::key_type key_;
  SimdLevel level_;
};

/// out[i] = log u[i] for u[i] in (0, 1) by relax's log kernel (the one of Box–Muller and of
/// log_uniform_pair; within 1 ulp, and < 0 for every u < 1), vectorized at `level`, the same bits
/// at every level. out may not alias u.
void log_units(std::size_t n, const double* u, double* out, SimdLevel level = best_simd_level());

} // namespace relax
