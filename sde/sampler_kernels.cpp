#include "sde/sampler_kernels.hpp"

#include "core/validate.hpp"

#include <algorithm>
#include <cmath>

namespace relax {

void declare_ctld_tempering_options(OptionSet& options) {
  options.real("ctld.alpha_friction", 1.0, "", "gamma_alpha: friction of alpha's momentum")
      .real("ctld.delta", 0.4, "", "g(alpha) = 1 on |alpha| <= delta")
      .real("ctld.delta_prime", 1.5, "", "g(alpha) = 1 - S beyond delta'")
      .real("ctld.s", 0.85, "", "S: lowest g is 1 - S (highest temperature 1/(1-S))")
      .real("ctld.confining", 10.0, "U", "C: confining force outside [-delta', delta']")
      .integer("ctld.bins", 100, "", "K: metadynamics bins (K + 1 edges) on [-delta', delta']")
      .real("ctld.height", 0.01, "U", "w: height of each deposited Gaussian")
      .real("ctld.width2", 0.01, "", "sigma^2: variance of each deposited Gaussian")
      .integer("ctld.sampling_steps", 1000, "steps",
               "L_s: steps with noise and alpha dynamics, then the noiseless integrator")
      .integer("ctld.metadynamics_steps", -1, "steps",
               "deposit the bias during the first steps only (-1: all of L_s)");
}

const std::vector<std::string>& ctld_tempering_keys() {
  static const std::vector<std::string> keys = {"ctld.alpha_friction", "ctld.delta",
                                                "ctld.delta_prime",    "ctld.s",
                                                "ctld.confining",      "ctld.bins",
                                                "ctld.height",         "ctld.width2",
                                                "ctld.sampling_steps", "ctld.metadynamics_steps"};
  return keys;
}

CtldTemperingParameters make_ctld_tempering(const Config& config) {
  CtldTemperingParameters p;
  p.alpha_friction = config.positive_real("ctld.alpha_friction");
  p.delta = config.non_negative_real("ctld.delta");
  p.delta_prime =
      config.real_in("ctld.delta_prime", p.delta + 1e-300, HUGE_VAL, "a number > ctld.delta");
  p.s = config.real_in("ctld.s", 0, 0.999999, "a number in [0, 1)");
  p.confining = config.non_negative_real("ctld.confining");
  p.bins = static_cast<int>(config.integer_at_least("ctld.bins", 1));
  p.height = config.non_negative_real("ctld.height");
  p.width2 = config.positive_real("ctld.width2");
  p.sampling_steps = config.integer_at_least("ctld.sampling_steps", 0);
  p.metadynamics_steps = config.integer_at_least("ctld.metadynamics_steps", -1);
  if (p.metadynamics_steps > p.sampling_steps) {
    reject_value("ctld.metadynamics_steps", config.text("ctld.metadynamics_steps"),
                 "at most ctld.sampling_steps = " + config.text("ctld.sampling_steps") +
                     " (or -1: all of them)");
  }
  return p;
}

void declare_rmsprop_options(OptionSet& options) {
  options.real("rmsprop.alpha", 0.99, "", "decay a of the second-moment average (RMSProp, pSGLD)")
      .real("rmsprop.eps", 1e-8, "", "eps added to sqrt(v) (RMSProp, pSGLD's lambda)");
}

SecondMoment make_second_moment(const Config& config) {
  return {config.real_in("rmsprop.alpha", 0, 0.999999, "a number in [0, 1)"),
          config.positive_real("rmsprop.eps")};
}

template <typename Real>
void update_second_moment(std::size_t n, double decay, const Real* g, Real* v) {
  const auto keep = static_cast<Real>(decay);
  const auto add = static_cast<Real>(1.0 - decay);
  for (std::size_t k = 0; k < n; ++k) {
    v[k] = keep * v[k] + add * g[k] * g[k];
  }
}

template <typename Real>
void add_weight_decay(std::size_t n, double wd, const Real* theta, Real* gradient) {
  if (wd == 0.0) {
    return;
  }
  const auto c = static_cast<Real>(wd);
  for (std::size_t k = 0; k < n; ++k) {
    gradient[k] += c * theta[k];
  }
}

// ---- CTLD ----

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

double CtldTempering::confining_potential(double alpha) const {
  return p_.confining * std::max(std::fabs(alpha) - p_.delta_prime, 0.0);
}

double CtldTempering::confining_force(double alpha) const {
  if (std::fabs(alpha) <= p_.delta_prime) {
    return 0.0;
  }
  return alpha < 0 ? p_.confining : -p_.confining;
}

double CtldTempering::edge(std::size_t j) const {
  return -p_.delta_prime + 2.0 * p_.delta_prime * static_cast<double>(j) / p_.bins;
}

double CtldTempering::bias_potential(double alpha, const double* bias, std::size_t stride) const {
  const double h = 2.0 * p_.delta_prime / p_.bins;
  const double position = std::clamp((alpha + p_.delta_prime) / h, 0.0, double(p_.bins));
  const auto k =
      std::min(static_cast<std::size_t>(position), static_cast<std::size_t>(p_.bins) - 1);
  const double t = position - static_cast<double>(k);
  return (1 - t) * bias[k * stride] + t * bias[(k + 1) * stride];
}

double CtldTempering::bias_force(double alpha, const double* bias, std::size_t stride) const {
  if (!(std::fabs(alpha) < p_.delta_prime)) {
    return 0.0;
  }
  const double h = 2.0 * p_.delta_prime / p_.bins;
  const auto k = std::min(static_cast<std::size_t>((alpha + p_.delta_prime) / h),
                          static_cast<std::size_t>(p_.bins) - 1); // k*
  return -(bias[(k + 1) * stride] - bias[k * stride]) / h;
}

void CtldTempering::deposit(double alpha, double* bias, std::size_t stride) const {
  if (p_.height == 0.0) {
    return;
  }
  for (std::size_t j = 0; j < edges(); ++j) {
    const double d = edge(j) - alpha;
    bias[j * stride] += p_.height * std::exp(-d * d / (2.0 * p_.width2));
  }
}

CtldForce ctld_alpha_force(const CtldTempering& tempering, const double* bias, std::size_t stride,
                           double alpha, double energy, double kinetic_energy) {
  const double dg = tempering.dg(alpha);
  return {-dg * energy, -dg * kinetic_energy, tempering.confining_force(alpha),
          tempering.bias_force(alpha, bias, stride)};
}

void ctld_alpha_kick(double eta, double alpha_friction, double force, double xi,
                     CtldAlphaState& state) {
  state.velocity = (1.0 - eta * alpha_friction) * state.velocity + eta * force +
                   std::sqrt(2.0 * eta * alpha_friction) * xi;
}

template <typename Real>
void drift_positions(std::size_t n, double eta, const Real* r, Real* theta) {
  const auto h = static_cast<Real>(eta);
  for (std::size_t k = 0; k < n; ++k) {
    theta[k] += h * r[k];
  }
}

template <typename Real>
void kick_momentum(std::size_t n, double keep, double eta, double noise_scale, const Real* gradient,
                   const Real* xi, Real* r) {
  const auto c = static_cast<Real>(keep);
  const auto h = static_cast<Real>(eta);
  const auto s = static_cast<Real>(noise_scale);
  for (std::size_t k = 0; k < n; ++k) {
    r[k] = c * r[k] - h * gradient[k] + (noise_scale == 0.0 ? Real(0) : s * xi[k]);
  }
}

double EntropyParameters::gamma(long outer_step) const {
  return gamma0 * std::pow(1.0 + gamma1, static_cast<double>(outer_step));
}

double EntropyParameters::rho(long outer_step) const {
  return elastic * std::pow(1.0 + gamma1, static_cast<double>(outer_step));
}

void declare_entropy_options(OptionSet& options) {
  options.integer("entropy.inner_steps", 20, "", "L: inner Langevin steps per outer step")
      .real("entropy.inner_lr", 0.1, "", "eta': inner step")
      .real("entropy.gamma0", 1e-4, "", "gamma0 of the scoping gamma0 (1 + gamma1)^k")
      .real("entropy.gamma1", 1e-3, "", "gamma1 of the scoping")
      .real("entropy.average", 0.25, "", "a in mu <- (1 - a) mu + a y")
      .real("parle.elastic", 0.1, "",
            "rho0: Parle's elastic coupling of a replica to the master (scoped like gamma)");
}

const std::vector<std::string>& entropy_keys() {
  static const std::vector<std::string> keys = {"entropy.inner_steps", "entropy.inner_lr",
                                                "entropy.gamma0",      "entropy.gamma1",
                                                "entropy.average",     "parle.elastic"};
  return keys;
}

EntropyParameters make_entropy_parameters(const Config& config) {
  EntropyParameters e;
  e.inner_steps = static_cast<int>(config.integer_at_least("entropy.inner_steps", 1));
  e.inner_lr = config.positive_real("entropy.inner_lr");
  e.gamma0 = config.non_negative_real("entropy.gamma0");
  e.gamma1 = config.non_negative_real("entropy.gamma1");
  e.average = config.real_in("entropy.average", 1e-300, 1, "a number in (0, 1]");
  e.elastic = config.non_negative_real("parle.elastic");
  return e;
}

template <typename Real, typename Noise>
void entropy_inner_step(std::size_t n, double inner_lr, double gamma, double noise,
                        const Real* gradient, const Real* x, const Noise* xi, Real* y) {
  const auto h = static_cast<Real>(inner_lr);
  const auto c = static_cast<Real>(gamma);
  const auto s = static_cast<Real>(noise * std::sqrt(2.0 * inner_lr));
  for (std::size_t k = 0; k < n; ++k) {
    y[k] += -h * (gradient[k] + c * (y[k] - x[k])) + s * static_cast<Real>(xi[k]);
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

template <typename Real>
void parle_direction(std::size_t n, double rho, const Real* x, const Real* z, const Real* master,
                     Real* out) {
  const auto r = static_cast<Real>(rho);
  for (std::size_t k = 0; k < n; ++k) {
    out[k] = (x[k] - z[k]) + r * (x[k] - master[k]);
  }
}

template void entropy_inner_step<double, float>(std::size_t, double, double, double, const double*,
                                                const double*, const float*, double*);

#define RELAX_INSTANTIATE_SAMPLER_KERNELS(Real)                                                    \
  template void add_weight_decay<Real>(std::size_t, double, const Real*, Real*);                   \
  template void drift_positions<Real>(std::size_t, double, const Real*, Real*);                    \
  template void kick_momentum<Real>(std::size_t, double, double, double, const Real*, const Real*, \
                                    Real*);                                                        \
  template void update_second_moment<Real>(std::size_t, double, const Real*, Real*);               \
  template void entropy_inner_step<Real, Real>(std::size_t, double, double, double, const Real*,   \
                                               const Real*, const Real*, Real*);                   \
  template void moving_average<Real>(std::size_t, double, const Real*, Real*);                     \
  template void entropy_outer_direction<Real>(std::size_t, const Real*, const Real*, Real*);       \
  template void parle_direction<Real>(std::size_t, double, const Real*, const Real*, const Real*,  \
                                      Real*);

RELAX_INSTANTIATE_SAMPLER_KERNELS(float)
RELAX_INSTANTIATE_SAMPLER_KERNELS(double)

} // namespace relax
