// Comparison runs for the tests of solvers/compare*: a problem stated in the configuration keys of
// `relax compare` (its own option set, with its defaults) and built by the same
// make_comparison_problem, on a communicator.
#pragma once

#include "app/commands.hpp"
#include "core/config.hpp"
#include "grids/grid_options.hpp"
#include "models/landscape_options.hpp"
#include "solvers/compare.hpp"
#include "solvers/compare_setup.hpp"
#include "solvers/fokker_planck_setup.hpp"

#include <map>
#include <memory>
#include <string>

namespace relax::test {

/// A grid and a ComparisonRun on it, from values of the keys of `relax compare` (the others keep
/// compare's defaults: the double well at beta = 1, MALA, ...).
struct CompareFixture {
  CompareFixture(MPI_Comm comm, const std::map<std::string, std::string>& values)
      : config(Config::from_values(app::compare_options(), values)),
        landscape(make_landscape(config)), grid(make_grid(comm, config, landscape->dim())),
        run(grid, make_comparison_problem(config, landscape, grid.axes())) {}

  Config config;
  std::shared_ptr<const Landscape> landscape;
  Grid grid;
  ComparisonRun run;
};

} // namespace relax::test
