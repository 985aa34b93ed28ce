// The [grid] configuration keys and the Grid they describe.
#pragma once

#include "core/config.hpp"
#include "grids/grid.hpp"

namespace relax {

/// grid.lo, grid.hi (reals, one value for all axes or one per axis), grid.n (cells per axis),
/// grid.bc (reflecting|periodic|absorbing, one or one per axis).
void declare_grid_options(OptionSet& options);

/// Builds a `dim`-dimensional grid from the [grid] keys; InputError names the key and value.
Grid make_grid(MPI_Comm comm, const Config& config, int dim);

} // namespace relax
