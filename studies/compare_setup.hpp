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

/// compare.noise_factor, compare.false_alarm_rate (the AgreementRule), compare.regions,
/// compare.rates (escape rates of a double well) and compare.particle_beta_factor (a deliberate
/// mismatch, 1 = none).
void declare_compare_options(OptionSet& options);

/// The problem of a compare run on the cells of `box` (the grid's axes). InputError, naming the
/// key, for: noise_factor <= 0, false_alarm_rate outside (0, 1), particle_beta_factor <= 0,
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

/// Collective: attributes of /compare naming what its series hold and the rule of the verdict, and
/// of /compare/observables defining each observable.
void write_compare_attributes(OutputFile& file, const ComparisonProblem& problem,
                              const std::vector<Observable>& observables);

/// Collective: appends one output level to /compare: time, l1, total_variation, kl, hellinger,
/// chi2, dof, pvalue, noise, agree (1 or 0), and the rows of /compare/observables/{pde,
/// particles, standard_error, z, pvalue, detectable} (detectable at the test `level`); then
/// flushes.
void append_compare_output(OutputFile& file, double time, const DensityComparison& comparison,
                           double level);

/// Collective: /compare/stationary, a group whose attributes hold the comparison with the
/// stationary density.
void write_stationary_comparison(OutputFile& file, const StationaryComparison& comparison);

/// Collective: /compare/rates = (pde, particles, kramers) with attributes naming each, their
/// ingredients (lambda1, pi_b, passages, surface, critical points, barrier, beta) and the standard
/// error of the particle rate.
void write_escape_rates(OutputFile& file, const EscapeRates& rates,
                        const ComparisonProblem& problem);

/// The lines relax compare prints: a header, one row per output (time, L1(PDE, particles), noise,
/// L1 / noise, p-value, the largest |z| of an observable, verdict), the table of observables at the
/// last output (with the largest |z| over the run and the smallest detectable bias), and the
/// stationary and escape-rate summaries.
std::string comparison_table_header();
std::string comparison_table_row(double time, const DensityComparison& comparison,
                                 const std::vector<Observable>& observables);
std::string observables_table(const DensityComparison& last, const std::vector<double>& max_z,
                              const std::vector<double>& max_z_time,
                              const std::vector<Observable>& observables, double level);
std::string stationary_summary(const StationaryComparison& comparison);
std::string escape_rate_summary(const EscapeRates& rates, const ComparisonProblem& problem);

} // namespace relax
