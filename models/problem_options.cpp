#include "models/problem_options.hpp"

#include "grids/grid_options.hpp"
#include "models/diffusion.hpp"
#include "models/drift.hpp"
#include "models/initial.hpp"
#include "models/landscape_options.hpp"
#include "models/schedule.hpp"

namespace relax {

void declare_problem_options(OptionSet& options) {
  declare_landscape_options(options);
  declare_grid_options(options);
  declare_temperature_options(options);
  declare_initial_options(options);
  declare_drift_options(options);
  declare_diffusion_options(options);
}

} // namespace relax
