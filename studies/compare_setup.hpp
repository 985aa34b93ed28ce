// What `relax compare` needs around a ComparisonRun (solvers/compare.hpp): the [compare] keys and
// the problem they describe together with the [landscape], [grid], [temperature], [initial], [fp]
// and [sde] keys; the /compare group of the output file (docs/output.md); and the lines of the
// table it prints.
#pragma once

#include "core/config.hpp"
#include "io/output_file.hpp"
#include "models/landscape.hpp"
#include "studies/compare.hpp"

#include <memory>
#include <string>
#include <vector>

namespace relax {

/// compare.noise_factor, compare.min_pvalue (the AgreementRule), compare.rates (escape rates of a
/// double well) and compare.particle_beta_factor (a deliberate mismatch, 1 = none).
void declare_compare_options(OptionSet& options);

/// The problem of a compare run on the cells of `box` (the grid's axes). InputError, naming the
/// key, for: noise_factor <= 0, min_pvalue outside [0, 1), particle_beta_factor <= 0,
/// initial.kind = file (one dataset cannot be both a density and particles), sde.restart (the PDE
/// side has no checkpoint), and everything make_ensemble_settings, make_fokker_planck_options,
/// make_temperature_schedule and make_initial_distribution reject. With compare.rates, the wells
/// are found when beta is constant, the drift is a gradient, the start is a Gaussian or a point,
/// and f has two wells along x0 on the box; the particles then record first passages through
/// escape_surface() unless sde.passage sets another surface. Otherwise `rates_note`, when given,
/// receives why there are no rates (empty when there are, or when compare.rates is false).
ComparisonProblem make_comparison_problem(const Config& config,
                                          const std::shared_ptr<const Landscape>& landscape,
                                          const std::vector<Axis>& box,
                                          std::string* rates_note = nullptr);

/// Collective: attributes of /compare naming what its series hold and the rule of the verdict.
void write_compare_attributes(OutputFile& file, const ComparisonProblem& problem);

/// Collective: appends one output level to /compare: time, l1, total_variation, kl, hellinger,
/// chi2, dof, pvalue, noise, agree (1 or 0); then flushes.
void append_compare_output(OutputFile& file, double time, const DensityComparison& comparison);

/// Collective: /compare/stationary, a group whose attributes hold the comparison with the
/// stationary density.
void write_stationary_comparison(OutputFile& file, const StationaryComparison& comparison);

/// Collective: /compare/rates = (pde, particles, kramers) with attributes naming each, their
/// ingredients (lambda1, pi_b, passages, surface, critical points, barrier, beta) and the standard
/// error of the particle rate.
void write_escape_rates(OutputFile& file, const EscapeRates& rates,
                        const ComparisonProblem& problem);

/// The lines relax compare prints: a header, one row per output (time, L1(PDE, particles), noise,
/// L1 / noise, p-value, verdict), and the stationary and escape-rate summaries.
std::string comparison_table_header();
std::string comparison_table_row(double time, const DensityComparison& comparison);
std::string stationary_summary(const StationaryComparison& comparison);
std::string escape_rate_summary(const EscapeRates& rates, const ComparisonProblem& problem);

} // namespace relax
