#include "studies/viscous_hj_particles.hpp"

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/mpi.hpp"
#include "models/drift.hpp"
#include "models/initial.hpp"
#include "models/schedule.hpp"
#include "sde/ensemble.hpp"
#include "solvers/viscous_hj_tilted.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace relax {

double most_local_entropy_steps(const LocalEntropySampling& sampling) {
  const double blocks = std::ldexp(1.0, static_cast<int>(sampling.max_doublings) + 1) - 1;
  return static_cast<double>(sampling.burn_in) +
         static_cast<double>(sampling.samples) * static_cast<double>(sampling.thin) * blocks;
}

namespace {

void check_sampling(const HamiltonJacobiProblem& problem, double t,
                    const LocalEntropySampling& sampling) {
  const auto positive = [](double v) { return v > 0 && std::isfinite(v); };
  if (!positive(problem.nu) || !positive(problem.c) || !positive(t)) {
    throw InputError("local-entropy particles: nu = " + format_real(problem.nu) + ", c = " +
                     format_real(problem.c) + ", t = " + format_real(t) + ": expected numbers > 0");
  }
  if (problem.drift) {
    throw InputError("local-entropy particles: a drift h(x) is not supported");
  }
  if (sampling.chains < 2 || sampling.samples < 1 || sampling.thin < 1) {
    throw InputError("local-entropy particles: chains = " + std::to_string(sampling.chains) +
                     ", samples = " + std::to_string(sampling.samples) +
                     ", thin = " + std::to_string(sampling.thin) +
                     ": expected chains >= 2, samples >= 1, thin >= 1");
  }
  if (most_local_entropy_steps(sampling) > std::numeric_limits<std::uint32_t>::max()) {
    throw InputError(
        "local-entropy particles: burn_in + samples thin (2^(max_doublings + 1) - 1) = " +
        format_real(most_local_entropy_steps(sampling)) + ": expected at most 2^32 - 1 steps");
  }
}

/// Split-R-hat per axis from the half sums of the local chains (layout [axis][particle]).
std::vector<double> split_rhat(MPI_Comm comm, const std::array<std::vector<double>, 2>& sum,
                               const std::array<std::vector<double>, 2>& squares, std::size_t dim,
                               std::size_t local, std::uint64_t chains, std::uint32_t n) {
  std::vector<double> rhat(dim, std::nan(""));
  if (n < 2) {
    return rhat;
  }
  const double length = n;
  const double sequences = 2.0 * static_cast<double>(chains);
  for (std::size_t a = 0; a < dim; ++a) {
    // Over all sequences j: sum of means, of squared means, of within variances.
    std::array<ExactSum, 3> totals;
    for (std::size_t h = 0; h < 2; ++h) {
      for (std::size_t p = 0; p < local; ++p) {
        const std::size_t i = a * local + p;
        const double mean = sum[h][i] / length;
        totals[0].add(mean);
        totals[1].add(mean * mean);
        totals[2].add((squares[h][i] - length * mean * mean) / (length - 1));
      }
    }
    allreduce(comm, totals.data(), totals.size());
    const double grand = totals[0].value() / sequences;
    const double between = (totals[1].value() - sequences * grand * grand) / (sequences - 1);
    const double within = totals[2].value() / sequences;
    rhat[a] =
        within > 0 ? std::sqrt(((length - 1) / length * within + between) / within) : std::nan("");
  }
  return rhat;
}

} // namespace

LocalEntropyGradient estimate_local_entropy_gradient(MPI_Comm comm,
                                                     std::shared_ptr<const Landscape> f,
                                                     const HamiltonJacobiProblem& problem, double t,
                                                     const std::vector<double>& x,
                                                     const LocalEntropySampling& sampling) {
  check_sampling(problem, t, sampling);
  const double coupling = problem.c * t;
  const Drift drift(std::make_shared<TiltedLandscape>(std::move(f), x, coupling));
  const TemperatureSchedule schedule = TemperatureSchedule::constant(problem.c / (2 * problem.nu));
  EnsembleSettings settings;
  settings.particles = sampling.chains;
  settings.seed = sampling.seed;
  settings.integrator = sampling.integrator;
  InitialDistribution start;
  start.kind = InitialDistribution::Kind::point;
  start.mean = x;
  ParticleEnsemble ensemble(comm, drift, schedule, settings, start);

  // Per-chain sums of the samples, in the ensemble's local layout [axis][particle], over one
  // block of `samples` samples `thin` steps apart from the ensemble's current step; the halves of
  // each chain for split-R-hat: sums and sums of squares of each half.
  const std::size_t dim = x.size();
  const std::uint32_t half = sampling.samples / 2;
  std::vector<double> chain_sum;
  std::array<std::vector<double>, 2> half_sum;
  std::array<std::vector<double>, 2> half_squares;
  const auto sample_block = [&](std::uint64_t first, std::uint64_t block_thin) {
    chain_sum.assign(ensemble.positions().size(), 0.0);
    half_sum = {chain_sum, chain_sum};
    half_squares = {chain_sum, chain_sum};
    for (std::uint32_t s = 1; s <= sampling.samples; ++s) {
      ensemble.advance_to(static_cast<std::uint32_t>(first + s * block_thin)); // < 2^32: checked
      const std::vector<double>& y = ensemble.positions();
      for (std::size_t i = 0; i < y.size(); ++i) {
        chain_sum[i] += y[i];
      }
      if (half > 0 && s <= 2 * half) {
        const std::size_t h = s <= half ? 0 : 1;
        for (std::size_t i = 0; i < y.size(); ++i) {
          half_sum[h][i] += y[i];
          half_squares[h][i] += y[i] * y[i];
        }
      }
    }
    return first + sampling.samples * block_thin;
  };
  // Adaptive: while a split-R-hat exceeds the target, the steps so far become burn-in and a new
  // block twice as long (thin doubled) is drawn, at most max_doublings times. The decision uses
  // exact sums only, so every rank takes it alike.
  std::uint64_t thin = sampling.thin;
  ensemble.advance_to(sampling.burn_in);
  std::uint64_t step = sample_block(sampling.burn_in, thin);
  std::vector<double> rhat =
      split_rhat(comm, half_sum, half_squares, dim, ensemble.local_size(), sampling.chains, half);
  std::uint32_t doublings = 0;
  const auto mixed = [&] {
    return std::all_of(rhat.begin(), rhat.end(),
                       [&](double r) { return !(r > sampling.target_rhat); });
  };
  while (sampling.target_rhat > 0 && doublings < sampling.max_doublings && !mixed()) {
    ++doublings;
    const std::uint64_t burn_in = step;
    thin *= 2;
    step = sample_block(burn_in, thin);
    rhat =
        split_rhat(comm, half_sum, half_squares, dim, ensemble.local_size(), sampling.chains, half);
  }
  const std::size_t local = ensemble.local_size();
  const double chains = static_cast<double>(sampling.chains);
  for (double& sum : chain_sum) {
    sum /= sampling.samples; // now the chain averages
  }
  // Mean of the chain averages, then their spread around it (two exact passes).
  const ColumnMoments columns = exact_column_moments(comm, chain_sum.data(), dim, local, chains);
  LocalEntropyGradient result;
  result.mean = columns.mean;
  for (std::size_t k = 0; k < dim; ++k) {
    const double variance = columns.squared_deviations[k] / (chains - 1);
    result.gradient.push_back((x[k] - result.mean[k]) / coupling);
    result.standard_error.push_back(std::sqrt(variance / chains) / coupling);
  }
  result.split_rhat = rhat;
  result.steps = step;
  result.burn_in = step - sampling.samples * thin;
  const AcceptanceCounts counts = ensemble.acceptance();
  if (counts.proposed > 0) {
    result.acceptance = static_cast<double>(counts.accepted) / static_cast<double>(counts.proposed);
  }
  return result;
}

} // namespace relax
