// The [grid] configuration keys and the Grid they describe.
#pragma once

#include "core/config.hpp"
#include "grids/grid.hpp"

namespace relax {

/// grid.lo, grid.hi (reals, one value for all axes or one per axis), grid.n (cells per axis),
/// grid.bc (reflecting|periodic|absorbing, one or one per axis).
void declare_grid_options(OptionSet& options);

/// What a command holds per grid cell, at least: `vectors` fields of doubles and `matrices` PETSc
/// AIJ matrices of the (2 dim + 1)-point stencil (8-byte value and 4-byte column index per
/// nonzero). The default fits the PDE commands (fp, hj, fb, compare, spectrum): a lower bound, so
/// that a refused size surely does not fit.
struct GridFootprint {
  int vectors = 8;
  int matrices = 1;
  double bytes_per_cell(int dim) const;
};

/// Builds a `dim`-dimensional grid from the [grid] keys; InputError names the key and value, and
/// (before anything is allocated) a grid whose footprint exceeds the memory available
/// (core/memory.hpp).
Grid make_grid(MPI_Comm comm, const Config& config, int dim, const GridFootprint& footprint = {});

} // namespace relax
