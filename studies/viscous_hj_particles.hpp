// (c) of the viscous HJ solver: a particle estimate of grad u(x, t) = (x - <y>)/(c t), <y> the
// mean of exp(-beta E_x(y)) with E_x = f(y) + |y - x|^2/(2 c t) and beta = c/(2 nu) (see
// solvers/viscous_hj_tilted.hpp), by Langevin dynamics of sde/: the Entropy-SGD inner loop, with
// c = 1 and t = gamma. It shares nothing with the grid solvers but the landscape, so it
// cross-checks them.
#pragma once

#include "models/landscape.hpp"
#include "sde/integrators.hpp"
#include "solvers/viscous_hj.hpp"

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace relax {

struct LocalEntropySampling {
  std::uint64_t chains = 256; ///< independent chains (particles), spread over the ranks
  std::uint32_t seed = 1;
  /// MALA by default: exact for the tilted measure at any step, so the only bias is burn-in.
  IntegratorSettings integrator{IntegratorKind::mala, 1e-2};
  std::uint32_t burn_in = 1000; ///< steps before the first sample
  std::uint32_t samples = 200;  ///< samples per chain
  std::uint32_t thin = 5;       ///< steps between two samples
  /// Adaptive burn-in: while any split-R-hat exceeds this (> 0), everything so far becomes burn-in
  /// and a block of `samples` samples at twice the thin is drawn, at most max_doublings times.
  /// 0: one block.
  double target_rhat = 0;
  std::uint32_t max_doublings = 0;
};

struct LocalEntropyGradient {
  std::vector<double> gradient;       ///< (x - <y>)/(c t)
  std::vector<double> standard_error; ///< of the gradient, per axis
  std::vector<double> mean;           ///< <y>
  double acceptance = 1;              ///< MALA's acceptance rate (1 for the others)
  /// Split-R-hat per axis (Gelman et al.; Vehtari et al. 2021 without rank normalization): every
  /// chain's samples cut into two halves, 2 x chains sequences of n = samples / 2, R = sqrt(((n -
  /// 1)/n W + B/n) / W) with W the mean within-sequence variance and B/n the variance of the
  /// sequence means. Near 1 when the chains have forgotten their common start and sample one law;
  /// chains stuck in different wells, or drifting between the halves, give R > 1. NaN when
  /// samples < 4. It cannot see a well that no chain has reached.
  std::vector<double> split_rhat;
  std::uint64_t burn_in = 0; ///< steps before the block the estimate comes from
  std::uint64_t steps = 0;   ///< steps of every chain in all
};

/// The most steps a chain can take: burn_in + samples thin (2^(max_doublings + 1) - 1).
double most_local_entropy_steps(const LocalEntropySampling& sampling);

/// Collective. Every chain starts at y = x (as the Entropy-SGD inner loop does), runs burn_in
/// steps, then takes `samples` samples `thin` steps apart (repeated with doubled thin while the
/// chains have not mixed, see LocalEntropySampling::target_rhat). The chain averages are
/// independent and identically distributed, so their sample standard deviation over sqrt(chains) is
/// the standard error of <y> whatever the autocorrelation within a chain. Sums are exact (ExactSum)
/// and the random streams are keyed by (seed, chain), so the estimate has the same bits at any
/// rank count. InputError unless nu > 0, c > 0, t > 0, the drift of `problem` is empty,
/// chains >= 2, samples >= 1, thin >= 1 and most_local_entropy_steps < 2^32.
LocalEntropyGradient estimate_local_entropy_gradient(MPI_Comm comm,
                                                     std::shared_ptr<const Landscape> f,
                                                     const HamiltonJacobiProblem& problem, double t,
                                                     const std::vector<double>& x,
                                                     const LocalEntropySampling& sampling);

} // namespace relax
