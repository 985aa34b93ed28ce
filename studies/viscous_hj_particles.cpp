#include "studies/viscous_hj_particles.hpp"

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/mpi.hpp"
#include "models/drift.hpp"
#include "models/initial.hpp"
#include "models/schedule.hpp"
#include "sde/ensemble.hpp"
#include "solvers/viscous_hj_tilted.hpp"

#include <cmath>

namespace relax {

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

  // Per-chain sums of the samples, in the ensemble's local layout [axis][particle].
  ensemble.advance_to(sampling.burn_in);
  std::vector<double> chain_sum(ensemble.positions().size(), 0.0);
  for (std::uint32_t s = 1; s <= sampling.samples; ++s) {
    ensemble.advance_to(sampling.burn_in + s * sampling.thin);
    const std::vector<double>& y = ensemble.positions();
    for (std::size_t i = 0; i < y.size(); ++i) {
      chain_sum[i] += y[i];
    }
  }
  const std::size_t dim = x.size();
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
  const AcceptanceCounts counts = ensemble.acceptance();
  if (counts.proposed > 0) {
    result.acceptance = static_cast<double>(counts.accepted) / static_cast<double>(counts.proposed);
  }
  return result;
}

} // namespace relax
