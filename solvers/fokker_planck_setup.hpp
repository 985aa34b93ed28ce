// What a command needs around the Fokker–Planck solver, shared by `relax fp` and `relax compare`:
// the [fp] and [time] keys, the checks on the temperature schedule, the projection of an initial
// distribution onto the grid, and the /fp output of one time level.
#pragma once

#include "core/config.hpp"
#include "grids/grid.hpp"
#include "io/output_file.hpp"
#include "models/initial.hpp"
#include "models/schedule.hpp"
#include "solvers/fokker_planck.hpp"

#include <string>
#include <vector>

namespace relax {

/// fp.dt (time step), time.end (final time), time.outputs (equally spaced outputs after t = 0),
/// time.output_times (explicit output times, override time.outputs).
void declare_fokker_planck_options(OptionSet& options);

/// InputError unless fp.dt > 0.
FokkerPlanckOptions make_fokker_planck_options(const Config& config);

/// The output times after t = 0, ascending, the last one time.end. InputError for time.end < 0,
/// time.outputs < 1, or explicit times outside (0, time.end] or not ascending.
std::vector<double> make_output_times(const Config& config);

/// InputError (naming temperature.schedule) unless beta(t) is finite and > 0 at t = 0 and at
/// t_end. The built-in schedules are monotone in t, so the two ends bound the whole run: this
/// catches a temperature that underflows to 0 (beta = inf) or overflows before t_end.
void check_schedule(const TemperatureSchedule& schedule, double t_end);

/// Collective. The initial density on the grid: Gaussian as exact cell averages (erf/erfc per
/// axis) renormalized to mass 1 on the box; uniform 1 / |box|; point mass: all mass in the cell
/// that holds the point; file: the dataset as stored (its last level for a time series). InputError
/// for a point outside the box, a Gaussian with (almost) no mass in the box, or a file density
/// that is negative, non-finite or of zero mass (naming the file and dataset).
GridField project_initial_density(const Grid& grid, const InitialDistribution& initial);

/// Collective. Appends one output level under `group`: time, beta, density, mass, outflow,
/// min_density, free_energy, relative_entropy, l1_to_gibbs, steps; then flushes the file.
void append_fokker_planck_output(OutputFile& file, const FokkerPlanckDiagnostics& diagnostics,
                                 long steps, const GridField& rho, const std::string& group = "fp");

} // namespace relax
