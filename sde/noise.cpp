#include "sde/noise.hpp"

#include "core/error.hpp"

#include <type_traits>

namespace relax {

template <typename Real>
StepDraws<Real>::StepDraws(CounterRng rng, Kind kind, std::size_t per_particle,
                           std::size_t capacity)
    : rng_(rng), kind_(kind), per_particle_(per_particle), capacity_(capacity),
      group_(std::is_same_v<Real, float> ? 4 : 2),
      window_(static_cast<std::size_t>(group_) * per_particle * capacity) {
  if (std::is_same_v<Real, float> && kind == Kind::uniform) {
    throw Error("StepDraws: uniforms are drawn in double precision only");
  }
}

template <typename Real>
const Real* StepDraws<Real>::at(std::uint64_t first_id, std::size_t count, std::uint32_t step) {
  const std::uint32_t base = step - step % group_;
  if (!valid_ || first_id != first_id_ || count != count_ || base != base_) {
    fill(first_id, count, base);
  }
  return window_.data() + static_cast<std::size_t>(step - base) * per_particle_ * capacity_;
}

template <typename Real>
void StepDraws<Real>::fill(std::uint64_t first_id, std::size_t count, std::uint32_t base) {
  if (count > capacity_) {
    throw Error("StepDraws: block of " + std::to_string(count) + " exceeds capacity " +
                std::to_string(capacity_));
  }
  // Row j of the call for coordinate k is value k at step base + j: window [(j*per + k)*cap + p].
  const std::size_t stride = per_particle_ * capacity_;
  for (std::size_t k = 0; k < per_particle_; ++k) {
    Real* out = window_.data() + k * capacity_;
    const auto draw = static_cast<std::uint32_t>(k);
    if constexpr (std::is_same_v<Real, float>) {
      rng_.normal_quads(first_id, count, base, draw, out, stride);
    } else if (kind_ == Kind::normal) {
      rng_.normal_pairs(first_id, count, base, draw, out, stride);
    } else {
      rng_.uniform_pairs(first_id, count, base, draw, out, stride);
    }
  }
  valid_ = true;
  first_id_ = first_id;
  count_ = count;
  base_ = base;
}

template class StepDraws<float>;
template class StepDraws<double>;

} // namespace relax
