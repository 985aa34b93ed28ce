#include "grids/grid_options.hpp"

#include "core/error.hpp"
#include "core/memory.hpp"
#include "core/mpi.hpp"

#include <cmath>
#include <limits>

namespace relax {

void declare_grid_options(OptionSet& options) {
  // Defaults fit the default problem, the 1D double well (x^2 - 1)^2: its Gibbs density at the
  // default temperature is negligible beyond |x| = 2.5.
  options
      .reals("grid.lo", "-2.5", "",
             "lower bound of the box: one value for every axis or one per axis")
      .reals("grid.hi", "2.5", "",
             "upper bound of the box: one value for every axis or one per axis")
      .integers("grid.n", "200", "",
                "cells per axis (>= 2): one value for every axis or one per axis")
      .text("grid.bc", "reflecting",
            "boundary per axis, reflecting|periodic|absorbing: one for every axis or a comma list");
}

double GridFootprint::bytes_per_cell(int dim) const {
  return 8.0 * vectors + 12.0 * (2 * dim + 1) * matrices;
}

Grid make_grid(MPI_Comm comm, const Config& config, int dim, const GridFootprint& footprint) {
  if (dim < 1 || dim > 3) {
    throw InputError("grid: dimension " + std::to_string(dim) + ": expected 1, 2 or 3");
  }
  const auto lo = config.reals_per_axis("grid.lo", dim);
  const auto hi = config.reals_per_axis("grid.hi", dim);
  const auto n = config.integers_per_axis("grid.n", dim);
  const auto bc = config.texts_per_axis("grid.bc", dim);

  std::vector<Axis> axes(static_cast<std::size_t>(dim));
  for (std::size_t a = 0; a < axes.size(); ++a) {
    if (n[a] < 2 || n[a] > std::numeric_limits<int>::max()) {
      throw InputError(
          "grid.n = '" + config.text("grid.n") + "': expected integers >= 2" +
          (n[a] < 2 ? "" : " and <= " + std::to_string(std::numeric_limits<int>::max())));
    }
    const std::string bounds =
        "grid.lo = '" + config.text("grid.lo") + "', grid.hi = '" + config.text("grid.hi") + "'";
    if (!(lo[a] < hi[a])) {
      throw InputError(bounds + ": expected lo < hi on every axis");
    }
    if (!std::isfinite(hi[a] - lo[a])) {
      throw InputError(bounds + ": expected a finite hi - lo on every axis");
    }
    axes[a] = {lo[a], hi[a], static_cast<int>(n[a]), parse_boundary(bc[a], "grid.bc")};
  }
  double cells = 1;
  for (const Axis& axis : axes) {
    cells *= axis.n;
  }
  require_memory(comm,
                 "grid.n = '" + config.text("grid.n") + "' (" + std::to_string(dim) +
                     (dim == 1 ? " axis" : " axes") + ": " + short_number(cells) + " cells)",
                 cells * footprint.bytes_per_cell(dim) / comm_size(comm));
  try {
    return Grid(comm, std::move(axes));
  } catch (const PetscError& e) {
    // The axes are valid, so what PETSc rejects is the split over the ranks (fewer cells than
    // ranks along an axis); every rank sees the same sizes and throws alike.
    throw InputError("grid.n = '" + config.text("grid.n") + "' on " +
                     std::to_string(comm_size(comm)) +
                     " MPI ranks: expected a grid PETSc can distribute (" + e.what() + ")");
  }
}

} // namespace relax
