#include "learning/samplers.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace relax {

namespace {

// Block normals of CounterRng (the one Box–Muller of relax): value j of counter p goes to
// out[j * m + p] for the first m = n / width counters, the last n % width values come from
// counter m.
void fill_block(const CounterRng& rng, std::uint32_t step, std::uint32_t draw, std::size_t n,
                float* out) {
  const std::size_t m = n / 4;
  rng.normal_quads(0, m, step, draw, out, m);
  const auto tail = rng.normal_quad(m, step, draw);
  std::copy(tail.begin(), tail.begin() + static_cast<std::ptrdiff_t>(n - 4 * m), out + 4 * m);
}

void fill_block(const CounterRng& rng, std::uint32_t step, std::uint32_t draw, std::size_t n,
                double* out) {
  const std::size_t m = n / 2;
  rng.normal_pairs(0, m, step, draw, out, m);
  if (n % 2 == 1) {
    out[n - 1] = rng.normal_pair(m, step, draw)[0];
  }
}

} // namespace

template <typename Real>
void fill_normal(const CounterRng& rng, std::uint32_t step, std::uint32_t draw, std::size_t n,
                 Real* out) {
  fill_block(rng, step, draw, n, out);
}

void shuffled_indices(const CounterRng& rng, std::uint32_t epoch, std::size_t n,
                      std::vector<std::size_t>& order) {
  order.resize(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = n; i > 1; --i) {
    const double u = rng.uniform_pair(i, epoch, 0)[0];
    const auto j = std::min(static_cast<std::size_t>(u * static_cast<double>(i)), i - 1);
    std::swap(order[i - 1], order[j]);
  }
}

template <typename Real>
void momentum_step(const MomentumParameters& p, std::size_t n, const Real* gradient, Real* velocity,
                   Real* theta) {
  const auto lr = static_cast<Real>(p.lr);
  const auto mu = static_cast<Real>(p.momentum);
  const auto wd = static_cast<Real>(p.weight_decay);
  for (std::size_t k = 0; k < n; ++k) {
    const Real d = gradient[k] + wd * theta[k];
    velocity[k] = mu * velocity[k] + d;
    theta[k] -= lr * (p.nesterov ? d + mu * velocity[k] : velocity[k]);
  }
}

template <typename Real>
void sgld_step(std::size_t n, double lr, double noise_scale, const Real* gradient, const Real* xi,
               Real* theta) {
  const auto h = static_cast<Real>(lr);
  const auto s = static_cast<Real>(noise_scale);
  for (std::size_t k = 0; k < n; ++k) {
    theta[k] += -h * gradient[k] + s * xi[k];
  }
}

double sgld_noise_scale(double lr, double temperature, std::size_t data_size) {
  return std::sqrt(2.0 * lr * temperature / static_cast<double>(data_size));
}

template <typename Real> void elastic_pull(std::size_t n, double rho, const Real* mean, Real* x) {
  const auto r = static_cast<Real>(rho);
  for (std::size_t k = 0; k < n; ++k) {
    x[k] -= r * (x[k] - mean[k]);
  }
}

#define RELAX_INSTANTIATE_SAMPLERS(Real)                                                           \
  template void fill_normal<Real>(const CounterRng&, std::uint32_t, std::uint32_t, std::size_t,    \
                                  Real*);                                                          \
  template void momentum_step<Real>(const MomentumParameters&, std::size_t, const Real*, Real*,    \
                                    Real*);                                                        \
  template void sgld_step<Real>(std::size_t, double, double, const Real*, const Real*, Real*);     \
  template void elastic_pull<Real>(std::size_t, double, const Real*, Real*);

RELAX_INSTANTIATE_SAMPLERS(float)
RELAX_INSTANTIATE_SAMPLERS(double)

} // namespace relax
