// Read access to a grid field together with one layer of ghost cells (the DMDA's stencil width),
// and the neighbours of an owned cell along an axis: the wrapped cell on a periodic axis, none
// beyond a wall. Used by the finite-difference stencils of the HJ and forward-backward solvers.
#pragma once

#include "core/error.hpp"
#include "core/petsc_handle.hpp"
#include "grids/axis_neighbours.hpp"
#include "grids/grid.hpp"

#include <petscdmda.h>

#include <array>
#include <cstddef>

namespace relax {

class GhostedValues {
public:
  /// Collective: scatters `global` (a Vec of the grid's DMDA) into `local` (a ghosted local Vec
  /// of the same DMDA) and holds read access to it.
  GhostedValues(const Grid& grid, ::Vec global, ::Vec local)
      : grid_(grid), values_(scatter(grid, global, local)) {
    PetscInt start[3] = {0, 0, 0};
    PetscInt size[3] = {1, 1, 1};
    RELAX_PETSC(DMDAGetGhostCorners(grid.dm(), &start[0], &start[1], &start[2], &size[0], &size[1],
                                    &size[2]));
    for (std::size_t a = 0; a < 3; ++a) {
      start_[a] = static_cast<int>(start[a]);
      size_[a] = static_cast<int>(size[a]);
    }
  }

  /// The value at a global cell index; on a periodic axis -1 and n are the wrapped ghosts.
  double at(const std::array<int, 3>& index) const {
    const std::size_t offset =
        static_cast<std::size_t>(index[0] - start_[0]) +
        static_cast<std::size_t>(size_[0]) *
            (static_cast<std::size_t>(index[1] - start_[1]) +
             static_cast<std::size_t>(size_[1]) * static_cast<std::size_t>(index[2] - start_[2]));
    return values_[offset];
  }

  /// The neighbours of owned cell `index` along `axis`. Beyond a wall (reflecting or absorbing)
  /// there is no neighbour; on a periodic axis the ghost is the wrapped cell.
  AxisNeighbours neighbours(const std::array<int, 3>& index, int axis) const {
    const auto a = static_cast<std::size_t>(axis);
    const Axis& ax = grid_.axis(axis);
    const bool is_periodic = ax.boundary == Boundary::periodic;
    AxisNeighbours result;
    std::array<int, 3> other = index;
    other[a] = index[a] - 1;
    result.has_lower = is_periodic || other[a] >= 0;
    result.lower = result.has_lower ? at(other) : 0.0;
    other[a] = index[a] + 1;
    result.has_upper = is_periodic || other[a] < ax.n;
    result.upper = result.has_upper ? at(other) : 0.0;
    return result;
  }

private:
  static ::Vec scatter(const Grid& grid, ::Vec global, ::Vec local) {
    RELAX_PETSC(DMGlobalToLocalBegin(grid.dm(), global, INSERT_VALUES, local));
    RELAX_PETSC(DMGlobalToLocalEnd(grid.dm(), global, INSERT_VALUES, local));
    return local;
  }

  const Grid& grid_;
  petsc::ConstVecArray values_; // the ghosted local Vec, opened after the scatter
  std::array<int, 3> start_{};
  std::array<int, 3> size_{};
};

} // namespace relax
