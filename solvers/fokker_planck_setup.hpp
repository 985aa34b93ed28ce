// What a run needs around the Fokker–Planck solver, shared by `relax fp` and the studies: the [fp]
// keys, the projection of an initial distribution onto the grid, and the /fp output of one time
// level.
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

/// fp.dt, the time step.
void declare_fokker_planck_options(OptionSet& options);

/// InputError unless fp.dt > 0.
FokkerPlanckOptions make_fokker_planck_options(const Config& config);

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
