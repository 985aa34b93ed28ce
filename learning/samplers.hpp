// Update rules of the training samplers (docs/theory.md), each a pure kernel on flat arrays: SGD
// with (Nesterov) momentum, SGLD, CTLD (continuously tempered Langevin dynamics: tempering function
// g(alpha), confining force, metadynamics bias on alpha) and Entropy-SGD (inner Langevin loop on
// the local-entropy tilted measure, moving average, outer step). Also the counter-based noise and
// minibatch shuffling they consume. No MPI here: sde/samplers_driver.hpp runs these kernels on a
// Model, data-parallel or as elastic replicas (sde/parle.hpp).
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

/// theta <- theta - lr g + noise_scale xi, with g the mean minibatch gradient and
/// noise_scale = sqrt(2 lr T / N) (stationary density exp(-N L(theta) / T), L the mean loss).
template <typename Real>
void sgld_step(std::size_t n, double lr, double noise_scale, const Real* gradient, const Real* xi,
               Real* theta);

double sgld_noise_scale(double lr, double temperature, std::size_t data_size);

// ---- CTLD ----

struct CtldParameters {
  double lr = 0.1;            ///< eta: step of the momentum form (per mean-loss gradient)
  double friction = 0.1;      ///< gamma: v <- (1 - gamma) v + ...
  double temperature = 1.0;   ///< T of the extended energy N (g L + V) (1: Bayesian posterior)
  double delta = 0.4;         ///< g = 1 on |alpha| <= delta
  double delta_prime = 1.5;   ///< g = 1 - S beyond delta'
  double s = 0.85;            ///< S
  double confining = 10.0;    ///< C: force pulling alpha back inside [-delta', delta'] (per sample)
  int bins = 100;             ///< K: metadynamics bins on [-delta', delta']
  double height = 0.01;       ///< w: height of a deposited Gaussian (per-sample energy)
  double width2 = 0.01;       ///< sigma^2 of a deposited Gaussian
  long sampling_steps = 1000; ///< L_s: CTLD steps, then SGD-momentum with g = 1
  long metadynamics_steps = -1; ///< deposit during the first steps only (-1: all of L_s)
};

/// g(alpha), the confining potential and the metadynamics bias on alpha: the alpha part of the
/// extended energy E(theta, alpha) = N (g(alpha) L(theta) + V(alpha)), V = bias + confining, with
/// L the mean loss over the N samples. V is per sample (in units of L), so C, w and the bias keep
/// their meaning for any data size; for a landscape (N = 1) E = g f + V.
class CtldTempering {
public:
  explicit CtldTempering(const CtldParameters& p);

  /// 1 on |a| <= delta, 1 - S (3z^2 - 2z^3) with z = (|a| - delta)/(delta' - delta), 1 - S beyond.
  double g(double alpha) const;
  double dg(double alpha) const; ///< g'(alpha)
  /// V(alpha): bias (linear interpolation between bin centres, constant beyond the outer centres)
  /// plus confining C (|alpha| - delta') outside [-delta', delta'].
  double potential(double alpha) const;
  double potential_force(double alpha) const; ///< -V'(alpha)
  /// Metadynamics: adds w exp(-(c_k - alpha)^2 / (2 sigma^2)) to every bin k.
  void deposit(double alpha);

  const std::vector<double>& bias() const { return bias_; }
  std::vector<double>& bias() { return bias_; }
  double bin_centre(int k) const;

private:
  CtldParameters p_;
  std::vector<double> bias_;
};

struct CtldAlphaState {
  double alpha = 0;
  double velocity = 0;
};

/// One step of the momentum form of the extended Hamiltonian dynamics (semi-implicit Euler with
/// friction gamma, step h = lr / N on E, the same h as theta):
///   v_a <- (1 - gamma) v_a - lr (g'(alpha) L + V'(alpha)) + sqrt(2 gamma lr T / N) xi,
///   alpha <- alpha + v_a,
/// with L the mean minibatch loss. Returns nothing; updates `state`.
void ctld_alpha_step(const CtldParameters& p, const CtldTempering& tempering, double mean_loss,
                     std::size_t data_size, double xi, CtldAlphaState& state);

/// The theta part: v <- (1 - gamma) v - lr g(alpha) grad L + sqrt(2 gamma lr T / N) xi,
/// theta <- theta + v. For fixed alpha the theta-marginal is Gibbs at temperature T / g(alpha):
/// with the effective step lr g(alpha), the noise is sqrt(2 (lr g) gamma T / (N g)),
/// docs/theory.md's "sqrt(2 eta gamma / g(alpha))".
template <typename Real>
void ctld_theta_step(std::size_t n, double lr, double friction, double g, double noise_scale,
                     const Real* gradient, const Real* xi, Real* velocity, Real* theta);

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
