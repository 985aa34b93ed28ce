// The cross-validation that `relax compare` runs (docs/theory.md, docs/output.md): the
// Fokker–Planck density and a particle ensemble on one problem (landscape, grid, initial
// distribution, beta(t), output times), both distributed over the same ranks. At each output the
// particle histogram is compared with the density (L1, total variation, KL, Hellinger,
// chi-square p-value) next to the L1 that sampling noise alone gives, and judged by a stated rule;
// at the end both are compared with the stationary density; for a double well the escape rate is
// found three ways: the PDE's slow mode, particle first passages and Kramers' formula.
#pragma once

#include "grids/grid.hpp"
#include "grids/histogram.hpp"
#include "models/drift.hpp"
#include "models/initial.hpp"
#include "models/schedule.hpp"
#include "sde/ensemble.hpp"
#include "solvers/fokker_planck.hpp"
#include "solvers/spectrum.hpp"
#include "studies/compare_escape.hpp"
#include "studies/compare_observables.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace relax {

/// When the particles "agree within noise" with the density, as one test of stated false-alarm
/// rate over the whole run (docs/theory.md §6.4): at every output the L1 distance is at most
/// noise_factor times the L1 expected from sampling alone (pure noise concentrates tightly around
/// its mean, so 3x is not reached by chance: a guard against gross differences), and no p-value of
/// the family — Pearson's chi-square and every observable (studies/compare_observables) at every
/// output, `tests` in all — is rejected by Holm–Bonferroni at family-wise level false_alarm_rate,
/// i.e. every p-value is >= false_alarm_rate / tests. The family-wise false-alarm rate is then at
/// most false_alarm_rate whatever the dependence between the tests.
struct AgreementRule {
  double noise_factor = 3;
  double false_alarm_rate = 1e-3;
  long tests = 1; ///< the family: outputs x (1 + observables), set by ComparisonRun
  /// The level of each test: false_alarm_rate / tests.
  double test_level() const { return false_alarm_rate / static_cast<double>(tests); }
  /// "L1 <= 3 x expected noise and every p-value >= 0.001 / 66 (family-wise false alarms <= ...)"
  std::string describe() const;
};

/// A particle histogram h (density counts / (N cell volume)) against a density rho on its grid.
struct DensityComparison {
  double l1 = 0;              ///< int |rho - h|
  double total_variation = 0; ///< l1 / 2
  double kl = 0;              ///< KL(h || rho+) = int h log(h / rho+), rho+ = max(rho, 0)
  double hellinger = 0;       ///< Hellinger distance of rho+ and h
  ChiSquareResult chi_square; ///< Pearson's chi-square of the counts against rho
  double noise = 0;           ///< expected L1 of a histogram of N independent draws from rho
  /// Fraction of the particles outside the grid box, where rho has no mass (the PDE's walls hold
  /// it in): any such particle is a disagreement, and usually means the box is too small.
  double outside = 0;
  /// The observables (ComparisonRun::compare; empty from compare_histogram alone).
  std::vector<ObservableValue> observables;
  bool agrees = false; ///< the AgreementRule's verdict at this output
};

/// Collective. Compares the reduced `histogram` with `density` (same grid) under `rule`: the L1
/// guard and the chi-square at rule.test_level().
DensityComparison compare_histogram(const GridField& density, const Histogram& histogram,
                                    const AgreementRule& rule);

/// Everything both sides of a comparison are built from.
struct ComparisonProblem {
  Drift drift;
  TemperatureSchedule schedule; ///< beta(t) of the PDE, and of the particles unless mismatched
  /// beta(t) of the particles: `schedule`, except in a deliberately mismatched run
  /// (compare.particle_beta_factor), which shows that a real difference is detected.
  TemperatureSchedule particle_schedule;
  InitialDistribution initial; ///< projected onto the grid (PDE) and sampled (particles)
  FokkerPlanckOptions fp;
  EnsembleSettings particles;
  AgreementRule rule;
  /// compare.regions: muParser indicator expressions of the user's regions (observables).
  std::vector<std::string> regions;
  /// The output times after t = 0 ([time] keys) and the particles' step count at each, derived
  /// once: every output time is a whole number of particle steps.
  std::vector<double> output_times;
  std::vector<std::uint32_t> output_steps;
  /// The wells of a double well (solvers/compare_escape.hpp): set when escape rates are wanted
  /// and the problem has them; particles.passage is then the escape surface.
  std::optional<TwoWells> wells;
};

/// The first-passage surface for escape from the start well: x0 = x0 of the target minimum,
/// crossed toward it. Not the saddle: from the saddle a particle falls back with probability 1/2,
/// so first passages through it come at twice the transition rate; from the bottom of the other
/// well it returns only over the barrier again, so the passage rate is the transition rate k_AB
/// (up to the time to slide down from the saddle, a relative O(k_AB) delay).
PassageSurface escape_surface(const TwoWells& wells);

/// The end of a run: the PDE density and the particle histogram against the stationary density at
/// beta(t): Gibbs exp(-beta f)/Z for a gradient drift (the SG scheme's exact discrete stationary
/// state), the normalized null vector of the assembled operator otherwise.
struct StationaryComparison {
  double beta = 0;
  bool is_gibbs = false;
  double pde_l1 = 0;           ///< int |rho - rho_inf|
  double pde_kl = 0;           ///< KL(rho+ || rho_inf)
  DensityComparison particles; ///< the histogram against rho_inf
};

/// Escape from the start well a into the target well b of a double well, three ways:
///   PDE:       the slowest nonzero mode of the operator (slowest_modes), read as a two-state
///   system: lambda1 = k_ab + k_ba
///              and detailed balance pi_a k_ab = pi_b k_ba give k_ab = lambda1 pi_b;
///   particles: first passages through escape_surface(), rate = passed / exposure (the
///              exponential maximum-likelihood estimate) with standard error rate / sqrt(passed);
///   Kramers:   kramers_rate() from the curvatures at a and at the saddle.
struct EscapeRates {
  double beta = 0;
  double barrier = 0; ///< f(s) - f(a), energy
  /// The slowest nonzero rate of the operator (solvers/spectrum: SLEPc) and its residual.
  double lambda1 = 0;
  double lambda1_residual = 0;
  double target_mass = 0; ///< pi_b: stationary mass of the cells on b's side of the saddle
  double pde = 0;         ///< lambda1 pi_b
  PassageStatistics particles;
  double kramers = 0;
};

/// One comparison run: the FP solver with its density and the particle ensemble, advanced
/// together. Every member function is collective.
class ComparisonRun {
public:
  /// Projects the initial distribution onto `grid` (which must outlive the run and have the
  /// landscape's dimension), samples the particles from it, builds the observables and sets the
  /// size of the rule's family: (1 + outputs after t = 0) x (1 + observables).
  ComparisonRun(const Grid& grid, ComparisonProblem problem);
  ComparisonRun(const ComparisonRun&) = delete;
  ComparisonRun& operator=(const ComparisonRun&) = delete;

  const Grid& grid() const { return grid_; }
  const ComparisonProblem& problem() const { return problem_; }
  const FokkerPlanckSolver& solver() const { return solver_; }
  const GridField& density() const { return density_; }
  const ParticleEnsemble& ensemble() const { return ensemble_; }
  double time() const { return solver_.time(); }

  /// Both sides to output `k` of problem().output_times: the density by the solver's TS, the
  /// particles by their whole steps. NumericalError from either side.
  void advance_to_output(std::size_t k);
  /// The observables (basins, regions, mean and variance per axis, <f>), built once.
  const std::vector<Observable>& observables() const { return observables_; }
  /// The particle histogram now against the density now, with the observables; agrees when the
  /// L1 guard holds and every p-value of this output is >= problem().rule.test_level().
  DensityComparison compare() const;
  /// Both against the stationary density at beta(time()); InputError with absorbing boundaries.
  StationaryComparison compare_to_stationary() const;
  /// The three escape rates at beta(time()). Error when the problem has no wells.
  EscapeRates escape_rates(const SpectrumOptions& options = {}) const;

private:
  const Grid& grid_;
  ComparisonProblem problem_;
  FokkerPlanckSolver solver_;
  GridField density_;
  ParticleEnsemble ensemble_;
  std::vector<Observable> observables_;
};

} // namespace relax
