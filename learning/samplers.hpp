// Update kernels shared by the training samplers (docs/theory.md), each pure on flat arrays: SGD
// with (Nesterov) momentum, SGLD, the momentum integrator of SGHMC and CTLD, CTLD's alpha side
// (tempering function g(alpha), confining force, metadynamics bias at bin edges) and Entropy-SGD
// (inner Langevin loop on the local-entropy tilted measure, moving average, outer step). Also the
// counter-based noise and minibatch shuffling they consume. No MPI here: learning/sampler_table.cpp
// turns kernels into samplers, learning/samplers_driver.hpp runs them on a Model, data-parallel
// or as elastic replicas (learning/parle.hpp).
#pragma once

#include "sde/rng.hpp"
#include "sde/sampler_kernels.hpp"

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

// ---- CTLD: the alpha side and the momentum integrator are in sde/sampler_kernels.hpp ----

/// CTLD on a network: the tempering keys plus the step, friction and temperature of U = N (L + wd
/// |theta|^2 / 2) / T.
struct CtldParameters : CtldTemperingParameters {
  double eta = 0.01;        ///< eta: time step of eq. (10) (SGD-momentum lr is eta^2 N / T)
  double friction = 10.0;   ///< gamma: r <- (1 - eta gamma) r + ...
  double temperature = 1.0; ///< T: U = N (L + wd |theta|^2 / 2) / T (T = 1: the posterior)
};

// ---- Entropy-SGD and Parle: their parameters and steps are in sde/sampler_kernels.hpp ----

// ---- Elastic (Parle) coupling ----

/// x <- x - rho (x - mean): pulls a replica toward the replicas' mean (rho = 1: onto it).
template <typename Real> void elastic_pull(std::size_t n, double rho, const Real* mean, Real* x);

} // namespace relax
