// The random draws of particle dynamics, laid out for block integrators. One Philox call serves one
// coordinate of a particle over a group of consecutive steps, so the generator runs at full width
// whatever the dimension (a 1D particle would otherwise waste half of every Box–Muller pair):
//   double normals: normal k of particle id at step n = CounterRng::normal_pair(id, n - n%2,
//   k)[n%2] float normals:  normal k of particle id at step n = CounterRng::normal_quad(id, n -
//   n%4, k)[n%4] uniforms:       uniform k of particle id at step n = CounterRng::uniform_pair(id,
//   n - n%2, k)[n%2]
// A value depends only on (seed, stream, id, n, k): not on the block, the window or the rank.
// Pure: no MPI.
#pragma once

#include "sde/rng.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace relax {

/// Precision of the Gaussian increments (positions and velocities are always double).
enum class NoisePrecision { float32, float64 };

/// Draws of `per_particle` values per step for a block of up to `capacity` particles, cached for
/// the group of steps that one Philox call covers. `Real` float: float normals; double: double
/// normals or uniforms.
template <typename Real> class StepDraws {
public:
  enum class Kind { normal, uniform };

  StepDraws(CounterRng rng, Kind kind, std::size_t per_particle, std::size_t capacity);

  /// Steps one Philox call covers: 4 for float normals, 2 otherwise.
  std::uint32_t group() const { return group_; }

  /// Values of step `step` for particles first_id .. first_id + count - 1: value k of particle
  /// first_id + p at [k * capacity + p]. Valid until the next call.
  const Real* at(std::uint64_t first_id, std::size_t count, std::uint32_t step);

private:
  void fill(std::uint64_t first_id, std::size_t count, std::uint32_t base);

  CounterRng rng_;
  Kind kind_;
  std::size_t per_particle_;
  std::size_t capacity_;
  std::uint32_t group_;
  std::vector<Real> window_; // group x per_particle x capacity
  bool valid_ = false;
  std::uint64_t first_id_ = 0;
  std::size_t count_ = 0;
  std::uint32_t base_ = 0;
};

extern template class StepDraws<float>;
extern template class StepDraws<double>;

} // namespace relax
