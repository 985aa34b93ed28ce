// Comparison runs for the tests of studies/compare*: a problem stated in the configuration keys of
// `relax compare` (its own option set, with its defaults) and built by the same
// make_comparison_problem, on a communicator.
#pragma once

#include "studies/compare_study.hpp"
#include "core/config.hpp"
#include "grids/grid_options.hpp"
#include "models/landscape_options.hpp"
#include "studies/compare.hpp"
#include "studies/compare_setup.hpp"
#include "solvers/fokker_planck_setup.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <string>

namespace relax::test {

/// A grid and a ComparisonRun on it, from values of the keys of `relax compare` (the others keep
/// compare's defaults: the double well at beta = 1, MALA, ...).
struct CompareFixture {
  CompareFixture(MPI_Comm comm, const std::map<std::string, std::string>& values)
      : config(Config::from_values(compare_study_options(), values)),
        landscape(make_landscape(config)), grid(make_grid(comm, config, landscape->dim())),
        run(grid, make_comparison_problem(config, landscape, grid.axes())) {}

  Config config;
  std::shared_ptr<const Landscape> landscape;
  Grid grid;
  ComparisonRun run;

  /// Both sides to `t`, which must be one of the output times of the [time] keys (t = 0: stay).
  void advance_to(double t) {
    const std::vector<double>& times = run.problem().output_times;
    if (t == 0) {
      return;
    }
    const auto k = static_cast<std::size_t>(std::find(times.begin(), times.end(), t) - times.begin());
    REQUIRE(k < times.size());
    run.advance_to_output(k);
  }
};

} // namespace relax::test
