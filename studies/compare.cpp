#include "studies/compare.hpp"

#include "core/error.hpp"
#include "core/profiling.hpp"
#include "solvers/fokker_planck_setup.hpp"

#include <cstdio>
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
  char text[320];
  std::snprintf(
      text, sizeof text,
      "L1 <= %g x expected noise and every p-value >= %g / %ld = %.3g (the chi-square and "
      "the observables at every output; family-wise false alarms <= %g, "
      "Holm-Bonferroni)",
      noise_factor, false_alarm_rate, tests, test_level(), false_alarm_rate);
  return text;
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
  c.agrees = c.l1 <= rule.noise_factor * c.noise && c.chi_square.pvalue >= rule.test_level();
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
                problem_.initial, grid_.axes()),
      observables_(make_observables(grid_, problem_.drift.landscape(), problem_.regions)) {
  problem_.rule.tests =
      static_cast<long>((1 + problem_.output_times.size()) * (1 + observables_.size()));
  if (problem_.wells) {
    check_spectrum_options(grid_.comm(), SpectrumOptions{}); // its -fp_spectrum_* options
  }
}

void ComparisonRun::advance_to_output(std::size_t k) {
  solver_.advance_to(problem_.output_times.at(k), density_);
  ensemble_.advance_to(problem_.output_steps.at(k));
}

DensityComparison ComparisonRun::compare() const {
  const PhaseScope phase(Phase::comparison);
  const Histogram histogram = ensemble_.histogram(grid_);
  DensityComparison c = compare_histogram(density_, histogram, problem_.rule);
  c.observables = evaluate_observables(observables_, density_, histogram);
  for (const ObservableValue& v : c.observables) {
    c.agrees = c.agrees && v.pvalue >= problem_.rule.test_level();
  }
  return c;
}

StationaryComparison ComparisonRun::compare_to_stationary() const {
  const PhaseScope phase(Phase::comparison);
  StationaryComparison c;
  c.beta = problem_.schedule.beta(time());
  c.is_gibbs = problem_.drift.is_gradient() && !problem_.fp.diffusion;
  const GridField stationary = solver_.stationary();
  c.pde_l1 = l1_distance(density_, stationary);
  c.pde_kl = kl_divergence(positive_part(density_), stationary);
  c.particles = compare_histogram(stationary, ensemble_.histogram(grid_), problem_.rule);
  return c;
}

EscapeRates ComparisonRun::escape_rates(const SpectrumOptions& options) const {
  const PhaseScope phase(Phase::comparison);
  if (!problem_.wells) {
    throw Error("ComparisonRun::escape_rates: the problem has no wells");
  }
  const TwoWells& wells = *problem_.wells;
  EscapeRates rates;
  rates.beta = problem_.schedule.beta(time());
  rates.barrier = wells.barrier();
  const GridField stationary = solver_.stationary();
  // pi_b: the stationary mass on b's side of the saddle.
  const double saddle = wells.saddle.x[0];
  const int direction = wells.direction();
  GridField target(grid_);
  target.fill([&](const double* x) { return direction * (x[0] - saddle) > 0 ? 1.0 : 0.0; });
  RELAX_PETSC(VecPointwiseMult(target.vec(), target.vec(), stationary.vec()));
  rates.target_mass = integral(target);
  SpectrumOptions two = options;
  two.count = 2; // the stationary state and the slow mode
  const Spectrum spectrum = slowest_modes(solver_, two);
  rates.lambda1 = spectrum.modes[1].rate.real();
  rates.lambda1_residual = spectrum.modes[1].residual;
  rates.pde = rates.lambda1 * rates.target_mass;
  rates.particles = ensemble_.passage_statistics();
  rates.kramers = kramers_rate(wells.start_well.hessian, wells.saddle.hessian, problem_.drift.dim(),
                               rates.barrier, rates.beta);
  return rates;
}

} // namespace relax
