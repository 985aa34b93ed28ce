#include "studies/compare.hpp"

#include "core/error.hpp"
#include "solvers/fokker_planck_setup.hpp"

#include <utility>

namespace relax {

namespace {

/// max(rho, 0): second-order TS types and iterative solves leave round-off negatives that would
/// make logarithms and square roots NaN.
GridField positive_part(const GridField& rho) {
  GridField positive(rho);
  const GridField zero(rho.grid());
  RELAX_PETSC(VecPointwiseMax(positive.vec(), positive.vec(), zero.vec()));
  return positive;
}

} // namespace

std::string AgreementRule::describe() const {
  return "L1 <= " + format_real(noise_factor) +
         " x expected noise and chi-square p-value >= " + format_real(min_pvalue);
}

DensityComparison compare_histogram(const GridField& density, const Histogram& histogram,
                                    const AgreementRule& rule) {
  const GridField counts_density = histogram.density();
  const GridField rho = positive_part(density);
  DensityComparison c;
  c.l1 = l1_distance(rho, counts_density);
  c.total_variation = total_variation(rho, counts_density);
  c.kl = kl_divergence(counts_density, rho);
  c.hellinger = hellinger_distance(rho, counts_density);
  c.chi_square = chi_square(histogram, rho);
  c.noise = expected_l1_noise(rho, histogram.total());
  c.outside = static_cast<double>(histogram.outside()) / static_cast<double>(histogram.total());
  c.agrees = c.l1 <= rule.noise_factor * c.noise && c.chi_square.pvalue >= rule.min_pvalue;
  return c;
}

PassageSurface escape_surface(const TwoWells& wells) {
  return PassageSurface{0, wells.target_well.x[0], wells.direction() > 0};
}

ComparisonRun::ComparisonRun(const Grid& grid, ComparisonProblem problem)
    : grid_(grid), problem_(std::move(problem)),
      solver_(grid_, problem_.drift, problem_.schedule, problem_.fp),
      density_(project_initial_density(grid_, problem_.initial)),
      ensemble_(grid_.comm(), problem_.drift, problem_.particle_schedule, problem_.particles,
                problem_.initial, grid_.axes()) {}

void ComparisonRun::advance_to_output(std::size_t k) {
  solver_.advance_to(problem_.output_times.at(k), density_);
  ensemble_.advance_to(problem_.output_steps.at(k));
}

DensityComparison ComparisonRun::compare() const {
  return compare_histogram(density_, ensemble_.histogram(grid_), problem_.rule);
}

StationaryComparison ComparisonRun::compare_to_stationary() const {
  StationaryComparison c;
  c.beta = problem_.schedule.beta(time());
  c.is_gibbs = problem_.drift.is_gradient() && !problem_.fp.diffusion;
  const GridField stationary = solver_.stationary();
  c.pde_l1 = l1_distance(density_, stationary);
  c.pde_kl = kl_divergence(positive_part(density_), stationary);
  c.particles = compare_histogram(stationary, ensemble_.histogram(grid_), problem_.rule);
  return c;
}

EscapeRates ComparisonRun::escape_rates(const SlowModeOptions& options) const {
  if (!problem_.wells) {
    throw Error("ComparisonRun::escape_rates: the problem has no wells");
  }
  const TwoWells& wells = *problem_.wells;
  EscapeRates rates;
  rates.beta = problem_.schedule.beta(time());
  rates.barrier = wells.barrier();
  const GridField stationary = solver_.stationary();
  // The guess pi (1_b - pi_b): the stationary density with its mass moved from well a to well b,
  // which is what the slow mode of a double well looks like.
  const double saddle = wells.saddle.x[0];
  const int direction = wells.direction();
  GridField target(grid_);
  target.fill([&](const double* x) { return direction * (x[0] - saddle) > 0 ? 1.0 : 0.0; });
  RELAX_PETSC(VecPointwiseMult(target.vec(), target.vec(), stationary.vec()));
  rates.target_mass = integral(target);
  rates.slow_mode = slowest_relaxation(solver_.op(), stationary, target, options);
  rates.pde = rates.slow_mode.lambda1 * rates.target_mass;
  rates.particles = ensemble_.passage_statistics();
  rates.kramers = kramers_rate(wells.start_well.hessian, wells.saddle.hessian, problem_.drift.dim(),
                               rates.barrier, rates.beta);
  return rates;
}

} // namespace relax
