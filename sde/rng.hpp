// Counter-based random numbers for particles (DESIGN.md §2): Random123 Philox4x32-10 with
// key = (seed, stream) and counter = (particle id low, particle id high, step, draw). A number
// depends only on (seed, stream, particle id, step, draw), never on the rank that computes it, the
// order of evaluation or a restart, which is what makes particle runs bit-identical at any rank
// count. Pure: no MPI.
#pragma once

#include <Random123/philox.h>

#include <array>
#include <cstdint>

namespace relax {

class CounterRng {
public:
  using Bits = std::array<std::uint32_t, 4>;

  CounterRng(std::uint32_t seed, std::uint32_t stream) : key_{{seed, stream}} {}

  /// The 128 random bits of one Philox call.
  Bits bits(std::uint64_t id, std::uint32_t step, std::uint32_t draw) const {
    const r123::Philox4x32::ctr_type counter = {
        {static_cast<std::uint32_t>(id), static_cast<std::uint32_t>(id >> 32), step, draw}};
    const auto out = r123::Philox4x32()(counter, key_);
    return {out.v[0], out.v[1], out.v[2], out.v[3]};
  }

  /// Two independent uniforms in the open interval (0, 1), 53-bit resolution, from one Philox call.
  std::array<double, 2> uniform_pair(std::uint64_t id, std::uint32_t step,
                                     std::uint32_t draw) const {
    const Bits b = bits(id, step, draw);
    return {to_open_unit(b[0], b[1]), to_open_unit(b[2], b[3])};
  }

  /// Two independent standard normals from one Philox call by the Box–Muller transform:
  /// r = sqrt(-2 log u1), (r cos 2 pi u2, r sin 2 pi u2).
  std::array<double, 2> normal_pair(std::uint64_t id, std::uint32_t step, std::uint32_t draw) const;

  /// Maps 64 random bits to (0, 1): (k + 0.5) / 2^53 with k the top 53 bits.
  static double to_open_unit(std::uint32_t high, std::uint32_t low) {
    const std::uint64_t k = ((static_cast<std::uint64_t>(high) << 32) | low) >> 11;
    return (static_cast<double>(k) + 0.5) * 0x1.0p-53;
  }

private:
  r123::Philox4x32::key_type key_;
};

} // namespace relax
