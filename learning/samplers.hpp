// Update kernels shared by the training samplers (docs/theory.md), each pure on flat arrays: SGD
// with (Nesterov) momentum, SGLD, the momentum integrator of SGHMC and CTLD, CTLD's alpha side
// (tempering function g(alpha), confining force, metadynamics bias at bin edges) and Entropy-SGD
// (inner Langevin loop on the local-entropy tilted measure, moving average, outer step). Also the
// counter-based noise and minibatch shuffling they consume. No MPI here: learning/sampler_table.cpp
// turns kernels into samplers, learning/samplers_driver.hpp runs them on a Model, data-parallel
// or as elastic replicas (learning/parle.hpp).
#pragma once

#include "sde/rng.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace relax {

/// Philox streams of training; a replica r of an elastic run adds r * replica_stride.
namespace train_stream {
constexpr std::uint32_t init = 1;
constexpr std::uint32_t shuffle = 2;
constexpr std::uint32_t noise = 3;       ///< theta noise (SGLD, CTLD, Entropy-SGD inner loop)
constexpr std::uint32_t alpha_noise = 4; ///< CTLD's alpha noise
constexpr std::uint32_t start = 5;       ///< initial momenta (CTLD's r and r_alpha, SGHMC's v)
constexpr std::uint32_t replica_stride = 16;
} // namespace train_stream

/// out[0..n) = standard normals depending only on (rng key, step, draw, k), so any rank generates
/// the same vector: CounterRng's block transforms (float: four per Philox call; double: two).
template <typename Real>
void fill_normal(const CounterRng& rng, std::uint32_t step, std::uint32_t draw, std::size_t n,
                 Real* out);

/// A uniform permutation of 0..n-1 for `epoch` (Fisher–Yates driven by CounterRng counters
/// (i, epoch)): the minibatch order of that epoch, the same on every rank.
void shuffled_indices(const CounterRng& rng, std::uint32_t epoch, std::size_t n,
                      std::vector<std::size_t>& order);

// ---- SGD with momentum (PyTorch's torch.optim.SGD semantics, dampening 0) ----

struct MomentumParameters {
  double lr = 0.1;
  double momentum = 0.9;
  bool nesterov = true;
  double weight_decay = 0.0;
};

/// d = g + wd theta; v = mu v + d; theta -= lr (nesterov ? d + mu v : v).
template <typename Real>
void momentum_step(const MomentumParameters& p, std::size_t n, const Real* gradient, Real* velocity,
                   Real* theta);

// ---- SGLD ----

/// theta <- theta - lr g + noise_scale xi, with g the mean minibatch gradient plus the prior's
/// wd theta, and noise_scale = sqrt(2 lr T / N) (stationary density exp(-N (L(theta) + wd
/// |theta|^2 / 2) / T), L the mean loss).
template <typename Real>
void sgld_step(std::size_t n, double lr, double noise_scale, const Real* gradient, const Real* xi,
               Real* theta);

double sgld_noise_scale(double lr, double temperature, std::size_t data_size);

/// gradient += wd theta: the Gaussian prior exp(-N wd |theta|^2 / (2 T)) of `train.weight_decay`
/// (PyTorch's L2 weight decay on the mean loss).
template <typename Real>
void add_weight_decay(std::size_t n, double wd, const Real* theta, Real* gradient);

// ---- CTLD (Ye, Zhu and Mantiuk, Algorithm 1 and eqs. 4-14) ----

struct CtldParameters {
  double eta = 0.01;            ///< eta: time step of eq. (10) (SGD-momentum lr is eta^2)
  double friction = 10.0;       ///< gamma: r <- (1 - eta gamma) r + ...
  double alpha_friction = 1.0;  ///< gamma_alpha: r_alpha <- (1 - eta gamma_alpha) r_alpha + ...
  double temperature = 1.0;     ///< T: U = N (L + wd |theta|^2 / 2) / T (T = 1: the posterior)
  double delta = 0.4;           ///< g = 1 on |alpha| <= delta
  double delta_prime = 1.5;     ///< g = 1 - S beyond delta'
  double s = 0.85;              ///< S
  double confining = 10.0;      ///< C = phi'(alpha) outside [-delta', delta'], units of U
  int bins = 100;               ///< K bins, K + 1 edges on [-delta', delta']
  double height = 0.01;         ///< w: height of a deposited Gaussian, units of U
  double width2 = 0.01;         ///< sigma^2 of a deposited Gaussian
  long sampling_steps = 1000;   ///< L_s: steps with noise and alpha dynamics
  long metadynamics_steps = -1; ///< deposit during the first steps only (-1: all of L_s)
};

/// The alpha side of CTLD: the tempering function g(alpha), the confining potential phi and the
/// metadynamics bias V_b held at the K + 1 bin edges e_j = -delta' + j 2 delta' / K. V_b between
/// edges is the linear interpolation (so the force in bin k* is eq. (14)'s
/// -(V_b(e_{k*+1}) - V_b(e_{k*})) / (2 delta' / K)), constant beyond the outer edges (no force).
/// The bias vector is passed in: it is part of the sampler state.
class CtldTempering {
public:
  explicit CtldTempering(const CtldParameters& p) : p_(p) {}

  /// 1 on |a| <= delta, 1 - S (3z^2 - 2z^3) with z = (|a| - delta)/(delta' - delta), 1 - S beyond.
  double g(double alpha) const;
  double dg(double alpha) const; ///< g'(alpha)
  /// phi(alpha) = C max(|alpha| - delta', 0), eq. (11); confining_force = -phi'(alpha).
  double confining_potential(double alpha) const;
  double confining_force(double alpha) const;
  /// V_b(alpha) and eq. (14)'s force -dV_b/dalpha (0 outside [-delta', delta']).
  double bias_potential(double alpha, const std::vector<double>& bias) const;
  double bias_force(double alpha, const std::vector<double>& bias) const;
  /// Eq. (13): bias_j += w exp(-(e_j - alpha)^2 / (2 sigma^2)) at every edge j.
  void deposit(double alpha, std::vector<double>& bias) const;
  std::size_t edges() const { return static_cast<std::size_t>(p_.bins) + 1; }
  double edge(std::size_t j) const;

private:
  CtldParameters p_;
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

CtldForce ctld_alpha_force(const CtldTempering& tempering, const std::vector<double>& bias,
                           double alpha, double energy, double kinetic_energy);

/// Algorithm 1's alpha update after the alpha drift: r_alpha <- (1 - eta gamma_alpha) r_alpha +
/// eta h~ + sqrt(2 eta gamma_alpha) xi.
void ctld_alpha_kick(const CtldParameters& p, double force, double xi, CtldAlphaState& state);

/// theta <- theta + eta r: the drift of Algorithm 1 (with the old r).
template <typename Real>
void drift_positions(std::size_t n, double eta, const Real* r, Real* theta);

/// r <- keep r - eta grad + noise_scale xi (Algorithm 1's momentum update with keep = 1 - eta
/// gamma, grad = grad U~ at the new theta; xi is ignored when noise_scale is 0).
template <typename Real>
void kick_momentum(std::size_t n, double keep, double eta, double noise_scale, const Real* gradient,
                   const Real* xi, Real* r);

// ---- Entropy-SGD ----

struct EntropyParameters {
  int inner_steps = 20;  ///< L
  double inner_lr = 0.1; ///< eta'
  double noise = 1e-4;   ///< eps: inner temperature eps^2 (in units of the mean loss)
  double gamma0 = 1e-4;  ///< coupling gamma_k = gamma0 (1 + gamma1)^k at outer step k
  double gamma1 = 1e-3;
  double average = 0.25; ///< a in mu <- (1 - a) mu + a y
  double gamma(long outer_step) const;
};

/// y <- y - eta' (grad L(y) + gamma (y - x)) + eps sqrt(2 eta') xi: Langevin on the tilted measure
/// exp(-(L(y) + gamma |y - x|^2 / 2) / eps^2), whose mean gives grad of the local entropy,
/// gamma (x - <y>) (docs/theory.md, with 2 nu = eps^2 and gamma_HJ = 1 / gamma).
template <typename Real>
void entropy_inner_step(std::size_t n, double inner_lr, double gamma, double noise,
                        const Real* gradient, const Real* x, const Real* xi, Real* y);

/// mu <- (1 - a) mu + a y.
template <typename Real> void moving_average(std::size_t n, double a, const Real* y, Real* mu);

/// out = x - mu: the outer "gradient" that momentum_step turns into x <- x - eta (x - mu).
template <typename Real>
void entropy_outer_direction(std::size_t n, const Real* x, const Real* mu, Real* out);

// ---- Elastic (Parle) coupling ----

/// x <- x - rho (x - mean): pulls a replica toward the replicas' mean (rho = 1: onto it).
template <typename Real> void elastic_pull(std::size_t n, double rho, const Real* mean, Real* x);

} // namespace relax
