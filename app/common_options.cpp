#include "app/common_options.hpp"

#include "grids/grid_options.hpp"
#include "models/drift.hpp"
#include "models/initial.hpp"
#include "models/landscape_options.hpp"
#include "models/schedule.hpp"

namespace relax::app {

void declare_problem_options(OptionSet& options) {
  declare_landscape_options(options);
  declare_grid_options(options);
  declare_temperature_options(options);
  declare_initial_options(options);
  declare_drift_options(options);
}

void declare_time_options(OptionSet& options) {
  options.real("time.end", 5.0, "time", "final time")
      .integer("time.outputs", 10, "", "number of equally spaced outputs after t = 0")
      .reals("time.output_times", "", "time",
             "explicit output times in (0, time.end], ascending (replace time.outputs)");
}

void declare_output_options(OptionSet& options, const std::string& default_file) {
  options.text("output.file", default_file, "HDF5 output file");
}

} // namespace relax::app
