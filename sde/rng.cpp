#include "sde/rng.hpp"

#include <cmath>

namespace relax {

std::array<double, 2> CounterRng::normal_pair(std::uint64_t id, std::uint32_t step,
                                              std::uint32_t draw) const {
  const auto [u1, u2] = uniform_pair(id, step, draw);
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double angle = 2.0 * M_PI * u2;
  return {r * std::cos(angle), r * std::sin(angle)};
}

} // namespace relax
