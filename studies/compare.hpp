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
#include "studies/compare_escape.hpp"
#include "studies/compare_slow_mode.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace relax {

/// When a histogram of N particles "agrees within noise" with a density: its L1 distance is at
/// most noise_factor times the L1 expected from sampling alone, and Pearson's chi-square does not
/// reject the density at level min_pvalue. The L1 of pure sampling noise concentrates tightly
/// around its mean (a sum over many cells), so 3x is never reached by chance; the chi-square is
/// the sharper test of a small systematic difference. min_pvalue = 1e-4 keeps false alarms over
/// tens of outputs below 1e-2.
struct AgreementRule {
  double noise_factor = 3;
  double min_pvalue = 1e-4;
  /// "L1 <= 3 x expected noise and chi-square p-value >= 0.0001"
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
  bool agrees = false; ///< the AgreementRule's verdict
};

/// Collective. Compares the reduced `histogram` with `density` (same grid) under `rule`.
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
///   PDE:       the slow mode of the operator, read as a two-state system: lambda1 = k_ab + k_ba
///              and detailed balance pi_a k_ab = pi_b k_ba give k_ab = lambda1 pi_b;
///   particles: first passages through escape_surface(), rate = passed / exposure (the
///              exponential maximum-likelihood estimate) with standard error rate / sqrt(passed);
///   Kramers:   kramers_rate() from the curvatures at a and at the saddle.
struct EscapeRates {
  double beta = 0;
  double barrier = 0;     ///< f(s) - f(a), energy
  SlowMode slow_mode;     ///< lambda1 and its residual
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
  /// landscape's dimension) and samples the particles from it.
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
  /// The particle histogram now against the density now.
  DensityComparison compare() const;
  /// Both against the stationary density at beta(time()); InputError with absorbing boundaries.
  StationaryComparison compare_to_stationary() const;
  /// The three escape rates at beta(time()). Error when the problem has no wells.
  EscapeRates escape_rates() const;

private:
  const Grid& grid_;
  ComparisonProblem problem_;
  FokkerPlanckSolver solver_;
  GridField density_;
  ParticleEnsemble ensemble_;
  petsc::KSP slow_mode_solver_; ///< for a problem with wells: made (and set from options) first
};

} // namespace relax
