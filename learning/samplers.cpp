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

// ---- CTLD ----

CtldTempering::CtldTempering(const CtldParameters& p)
    : p_(p), bias_(static_cast<std::size_t>(std::max(p.bins, 2)), 0.0) {}

double CtldTempering::g(double alpha) const {
  const double a = std::fabs(alpha);
  if (a <= p_.delta) {
    return 1.0;
  }
  if (a >= p_.delta_prime) {
    return 1.0 - p_.s;
  }
  const double z = (a - p_.delta) / (p_.delta_prime - p_.delta);
  return 1.0 - p_.s * z * z * (3.0 - 2.0 * z);
}

double CtldTempering::dg(double alpha) const {
  const double a = std::fabs(alpha);
  if (a <= p_.delta || a >= p_.delta_prime) {
    return 0.0;
  }
  const double width = p_.delta_prime - p_.delta;
  const double z = (a - p_.delta) / width;
  return -p_.s * 6.0 * z * (1.0 - z) / width * (alpha < 0 ? -1.0 : 1.0);
}

double CtldTempering::bin_centre(int k) const {
  const double h = 2.0 * p_.delta_prime / static_cast<double>(bias_.size());
  return -p_.delta_prime + (k + 0.5) * h;
}

double CtldTempering::potential(double alpha) const {
  const double h = 2.0 * p_.delta_prime / static_cast<double>(bias_.size());
  const double position =
      std::clamp((alpha + p_.delta_prime) / h - 0.5, 0.0, static_cast<double>(bias_.size() - 1));
  const auto k = std::min(static_cast<std::size_t>(position), bias_.size() - 2);
  const double t = position - static_cast<double>(k);
  const double bias = (1 - t) * bias_[k] + t * bias_[k + 1];
  return bias + p_.confining * std::max(std::fabs(alpha) - p_.delta_prime, 0.0);
}

double CtldTempering::potential_force(double alpha) const {
  const double h = 2.0 * p_.delta_prime / static_cast<double>(bias_.size());
  const double position = (alpha + p_.delta_prime) / h - 0.5;
  double force = 0.0;
  if (position >= 0.0 && position <= static_cast<double>(bias_.size() - 1)) {
    const auto k = std::min(static_cast<std::size_t>(position), bias_.size() - 2);
    force = -(bias_[k + 1] - bias_[k]) / h;
  }
  if (std::fabs(alpha) > p_.delta_prime) {
    force -= p_.confining * (alpha < 0 ? -1.0 : 1.0);
  }
  return force;
}

void CtldTempering::deposit(double alpha) {
  for (std::size_t k = 0; k < bias_.size(); ++k) {
    const double d = bin_centre(static_cast<int>(k)) - alpha;
    bias_[k] += p_.height * std::exp(-d * d / (2.0 * p_.width2));
  }
}

void ctld_alpha_step(const CtldParameters& p, const CtldTempering& tempering, double mean_loss,
                     std::size_t data_size, double xi, CtldAlphaState& state) {
  const double n = static_cast<double>(data_size);
  const double force =
      -(tempering.dg(state.alpha) * mean_loss) + tempering.potential_force(state.alpha);
  state.velocity = (1.0 - p.friction) * state.velocity + p.lr * force +
                   std::sqrt(2.0 * p.friction * p.lr * p.temperature / n) * xi;
  state.alpha += state.velocity;
}

template <typename Real>
void ctld_theta_step(std::size_t n, double lr, double friction, double g, double noise_scale,
                     const Real* gradient, const Real* xi, Real* velocity, Real* theta) {
  const auto keep = static_cast<Real>(1.0 - friction);
  const auto h = static_cast<Real>(lr * g);
  const auto s = static_cast<Real>(noise_scale);
  for (std::size_t k = 0; k < n; ++k) {
    velocity[k] = keep * velocity[k] - h * gradient[k] + s * xi[k];
    theta[k] += velocity[k];
  }
}

// ---- Entropy-SGD ----

double EntropyParameters::gamma(long outer_step) const {
  return gamma0 * std::pow(1.0 + gamma1, static_cast<double>(outer_step));
}

template <typename Real>
void entropy_inner_step(std::size_t n, double inner_lr, double gamma, double noise,
                        const Real* gradient, const Real* x, const Real* xi, Real* y) {
  const auto h = static_cast<Real>(inner_lr);
  const auto c = static_cast<Real>(gamma);
  const auto s = static_cast<Real>(noise * std::sqrt(2.0 * inner_lr));
  for (std::size_t k = 0; k < n; ++k) {
    y[k] += -h * (gradient[k] + c * (y[k] - x[k])) + s * xi[k];
  }
}

template <typename Real> void moving_average(std::size_t n, double a, const Real* y, Real* mu) {
  const auto weight = static_cast<Real>(a);
  for (std::size_t k = 0; k < n; ++k) {
    mu[k] += weight * (y[k] - mu[k]);
  }
}

template <typename Real>
void entropy_outer_direction(std::size_t n, const Real* x, const Real* mu, Real* out) {
  for (std::size_t k = 0; k < n; ++k) {
    out[k] = x[k] - mu[k];
  }
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
  template void ctld_theta_step<Real>(std::size_t, double, double, double, double, const Real*,    \
                                      const Real*, Real*, Real*);                                  \
  template void entropy_inner_step<Real>(std::size_t, double, double, double, const Real*,         \
                                         const Real*, const Real*, Real*);                         \
  template void moving_average<Real>(std::size_t, double, const Real*, Real*);                     \
  template void entropy_outer_direction<Real>(std::size_t, const Real*, const Real*, Real*);       \
  template void elastic_pull<Real>(std::size_t, double, const Real*, Real*);

RELAX_INSTANTIATE_SAMPLERS(float)
RELAX_INSTANTIATE_SAMPLERS(double)

} // namespace relax
