// Pure kernels shared by the training samplers (learning/sampler_table.cpp) and the particle
// integrators of the same names (sde/integrators.hpp), with the keys they share: the momentum
// integrator of SGHMC and CTLD (Algorithm 1 of Ye, Zhu and Mantiuk: drift with the old momentum,
// kick with the gradient at the new position), CTLD's alpha side (tempering function g(alpha),
// confining force, metadynamics bias at bin edges, the parts of the force h~), the prior of weight
// decay, the second-moment average of RMSProp/pSGLD, and Entropy-SGD's and Parle's steps (inner
// Langevin step on the tilted measure, moving average, outer direction, Parle's elastic direction).
// No MPI, PETSc or HDF5.
#pragma once

#include "core/config.hpp"

#include <cstddef>
#include <vector>

namespace relax {

/// The [ctld] keys of the tempering: g(alpha), the alpha dynamics and the metadynamics.
struct CtldTemperingParameters {
  double alpha_friction = 1.0;  ///< gamma_alpha: r_alpha <- (1 - eta gamma_alpha) r_alpha + ...
  double delta = 0.4;           ///< g = 1 on |alpha| <= delta
  double delta_prime = 1.5;     ///< g = 1 - S beyond delta'
  double s = 0.85;              ///< S
  double confining = 10.0;      ///< C = phi'(alpha) outside [-delta', delta'], units of U
  int bins = 100;               ///< K bins, K + 1 edges on [-delta', delta']
  double height = 0.01;         ///< w: height of a deposited Gaussian, units of U
  double width2 = 0.01;         ///< sigma^2 of a deposited Gaussian
  long sampling_steps = 1000;   ///< L_s: steps with noise and alpha dynamics
  long metadynamics_steps = -1; ///< deposit during the first steps only (-1: all of L_s)
  /// The steps that deposit: the first metadynamics_steps, or all of L_s.
  long deposit_steps() const {
    return metadynamics_steps < 0 ? sampling_steps : metadynamics_steps;
  }
};

/// ctld.alpha_friction, delta, delta_prime, s, confining, bins, height, width2, sampling_steps,
/// metadynamics_steps.
void declare_ctld_tempering_options(OptionSet& options);
/// InputError naming the key for values out of range (delta' <= delta, S outside [0, 1), ...).
CtldTemperingParameters make_ctld_tempering(const Config& config);
/// The keys declare_ctld_tempering_options declares.
const std::vector<std::string>& ctld_tempering_keys();

/// The alpha side of CTLD: the tempering function g(alpha), the confining potential phi and the
/// metadynamics bias V_b held at the K + 1 bin edges e_j = -delta' + j 2 delta' / K. V_b between
/// edges is the linear interpolation (so the force in bin k* is eq. (14)'s
/// -(V_b(e_{k*+1}) - V_b(e_{k*})) / (2 delta' / K)), constant beyond the outer edges (no force).
/// The bias vector is passed in: it is part of the sampler state.
class CtldTempering {
public:
  explicit CtldTempering(const CtldTemperingParameters& p) : p_(p) {}

  /// 1 on |a| <= delta, 1 - S (3z^2 - 2z^3) with z = (|a| - delta)/(delta' - delta), 1 - S beyond.
  double g(double alpha) const;
  double dg(double alpha) const; ///< g'(alpha)
  /// phi(alpha) = C max(|alpha| - delta', 0), eq. (11); confining_force = -phi'(alpha).
  double confining_potential(double alpha) const;
  double confining_force(double alpha) const;
  /// V_b(alpha) and eq. (14)'s force -dV_b/dalpha (0 outside [-delta', delta']).
  /// The bias of edge j at bias[j * stride] (a particle's column of an SoA block, or a vector).
  double bias_potential(double alpha, const double* bias, std::size_t stride = 1) const;
  double bias_force(double alpha, const double* bias, std::size_t stride = 1) const;
  /// Eq. (13): bias_j += w exp(-(e_j - alpha)^2 / (2 sigma^2)) at every edge j (none for w = 0).
  void deposit(double alpha, double* bias, std::size_t stride = 1) const;
  double bias_potential(double alpha, const std::vector<double>& bias) const {
    return bias_potential(alpha, bias.data());
  }
  double bias_force(double alpha, const std::vector<double>& bias) const {
    return bias_force(alpha, bias.data());
  }
  void deposit(double alpha, std::vector<double>& bias) const { deposit(alpha, bias.data()); }
  std::size_t edges() const { return static_cast<std::size_t>(p_.bins) + 1; }
  double edge(std::size_t j) const;

private:
  CtldTemperingParameters p_;
};

struct CtldAlphaState {
  double alpha = 0;
  double velocity = 0; ///< r_alpha
};

/// The parts of the force h~ on alpha (eq. 14): h~ = tempering + kinetic + confining + bias, with
/// tempering = -g'(alpha) U~, kinetic = -g'(alpha) r^T r / 2.
struct CtldForce {
  double tempering = 0;
  double kinetic = 0;
  double confining = 0;
  double bias = 0;
  double total() const { return tempering + kinetic + confining + bias; }
};

CtldForce ctld_alpha_force(const CtldTempering& tempering, const double* bias, std::size_t stride,
                           double alpha, double energy, double kinetic_energy);
inline CtldForce ctld_alpha_force(const CtldTempering& tempering, const std::vector<double>& bias,
                                  double alpha, double energy, double kinetic_energy) {
  return ctld_alpha_force(tempering, bias.data(), 1, alpha, energy, kinetic_energy);
}

/// Algorithm 1's alpha update after the alpha drift: r_alpha <- (1 - eta gamma_alpha) r_alpha +
/// eta h~ + sqrt(2 eta gamma_alpha) xi.
void ctld_alpha_kick(double eta, double alpha_friction, double force, double xi,
                     CtldAlphaState& state);

/// theta <- theta + eta r: the drift of Algorithm 1 (with the old r).
template <typename Real>
void drift_positions(std::size_t n, double eta, const Real* r, Real* theta);

/// r <- keep r - eta grad + noise_scale xi (Algorithm 1's momentum update with keep = 1 - eta
/// gamma, grad = grad U~ at the new theta; xi is ignored when noise_scale is 0).
template <typename Real>
void kick_momentum(std::size_t n, double keep, double eta, double noise_scale, const Real* gradient,
                   const Real* xi, Real* r);

/// gradient += wd theta: the Gaussian prior exp(-N wd |theta|^2 / (2 T)) of `train.weight_decay`
/// (PyTorch's L2 weight decay on the mean loss).
template <typename Real>
void add_weight_decay(std::size_t n, double wd, const Real* theta, Real* gradient);

/// The second-moment average of RMSProp and pSGLD: v <- decay v + (1 - decay) g^2 elementwise;
/// epsilon is added to sqrt(v).
struct SecondMoment {
  double decay = 0.99;
  double epsilon = 1e-8;
};
/// rmsprop.alpha (the decay) and rmsprop.eps.
void declare_rmsprop_options(OptionSet& options);
SecondMoment make_second_moment(const Config& config);

template <typename Real>
void update_second_moment(std::size_t n, double decay, const Real* g, Real* v);

// ---- Entropy-SGD and Parle ----

struct EntropyParameters {
  int inner_steps = 20;  ///< L
  double inner_lr = 0.1; ///< eta'
  double noise = 1e-4;   ///< eps: inner temperature eps^2 (networks: entropy.noise; landscapes:
                         ///< 1/beta(t))
  double gamma0 = 1e-4;  ///< coupling gamma_k = gamma0 (1 + gamma1)^k at outer step k
  double gamma1 = 1e-3;
  double average = 0.25;           ///< a in mu <- (1 - a) mu + a y
  double inner_momentum = 0.0;     ///< the inner gradient's momentum (0: none; networks only)
  double inner_weight_decay = 0.0; ///< the inner gradient's weight decay (networks only)
  double elastic = 0.1;            ///< Parle's rho0: rho_k = rho0 (1 + gamma1)^k
  double gamma(long outer_step) const;
  double rho(long outer_step) const;
};

/// The keys of Entropy-SGD and Parle shared by networks and landscapes: entropy.inner_steps,
/// inner_lr, gamma0, gamma1, average and parle.elastic.
void declare_entropy_options(OptionSet& options);
/// Those keys, range-checked (InputError naming the key); the other fields keep their defaults.
EntropyParameters make_entropy_parameters(const Config& config);
const std::vector<std::string>& entropy_keys();

/// y <- y - eta' (grad L(y) + gamma (y - x)) + eps sqrt(2 eta') xi: Langevin on the tilted measure
/// exp(-(L(y) + gamma |y - x|^2 / 2) / eps^2), whose mean gives grad of the local entropy,
/// gamma (x - <y>) (docs/theory.md, with 2 nu = eps^2 and gamma_HJ = 1 / gamma).
template <typename Real, typename Noise>
void entropy_inner_step(std::size_t n, double inner_lr, double gamma, double noise,
                        const Real* gradient, const Real* x, const Noise* xi, Real* y);

/// mu <- (1 - a) mu + a y.
template <typename Real> void moving_average(std::size_t n, double a, const Real* y, Real* mu);

/// out = x - mu: the outer "gradient" (gamma (x - mu) estimates grad f_gamma(x)).
template <typename Real>
void entropy_outer_direction(std::size_t n, const Real* x, const Real* mu, Real* out);

/// out = (x_a - z_a) + rho (x_a - master): Parle's outer direction of replica a, its Entropy-SGD
/// direction plus the elastic pull toward the master.
template <typename Real>
void parle_direction(std::size_t n, double rho, const Real* x, const Real* z, const Real* master,
                     Real* out);

} // namespace relax
