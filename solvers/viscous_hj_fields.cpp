// Diagnostics of a viscous HJ solution on the grid: its minimizer and its gradient.
#include "solvers/viscous_hj.hpp"

#include "core/error.hpp"
#include "core/mpi.hpp"
#include "grids/ghosted_values.hpp"

#include <cstdint>
#include <limits>

namespace relax {

FieldMinimum field_minimum(const GridField& field) {
  const Grid& grid = field.grid();
  const std::array<int, 3> shape = grid.shape();
  const auto natural = [&](const std::array<int, 3>& index) {
    return static_cast<std::int64_t>(index[0]) +
           static_cast<std::int64_t>(shape[0]) *
               (static_cast<std::int64_t>(index[1]) +
                static_cast<std::int64_t>(shape[1]) * static_cast<std::int64_t>(index[2]));
  };
  double least = std::numeric_limits<double>::infinity();
  std::int64_t where = std::numeric_limits<std::int64_t>::max();
  {
    const petsc::ConstVecArray values(field.vec());
    grid.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
      if (values[offset] < least) { // memory order is natural order within a block
        least = values[offset];
        where = natural(index);
      }
    });
  }
  // The smallest value first, then the smallest natural index among the cells that hold it.
  double global_least = least;
  RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, &global_least, 1, MPI_DOUBLE, MPI_MIN, grid.comm()));
  if (least != global_least) {
    where = std::numeric_limits<std::int64_t>::max();
  }
  RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, &where, 1, MPI_INT64_T, MPI_MIN, grid.comm()));
  if (where == std::numeric_limits<std::int64_t>::max()) {
    throw NumericalError("field_minimum: the field has no finite minimum");
  }
  FieldMinimum minimum;
  minimum.value = global_least;
  minimum.cell = {static_cast<int>(where % shape[0]), static_cast<int>(where / shape[0] % shape[1]),
                  static_cast<int>(where / (static_cast<std::int64_t>(shape[0]) * shape[1]))};
  minimum.location.resize(static_cast<std::size_t>(grid.dim()));
  grid.centre(minimum.cell, minimum.location.data());
  return minimum;
}

std::vector<GridField> central_gradient(const GridField& u) {
  const Grid& grid = u.grid();
  petsc::Vec local;
  RELAX_PETSC(DMCreateLocalVector(grid.dm(), local.out()));
  std::vector<GridField> gradient;
  for (int a = 0; a < grid.dim(); ++a) {
    gradient.emplace_back(grid);
  }
  const GhostedValues ghosted(grid, u.vec(), local);
  for (int a = 0; a < grid.dim(); ++a) {
    const Axis& axis = grid.axis(a);
    // A missing neighbour is the mirror ghost at a reflecting wall (the Neumann condition) and
    // the cell itself, with a one-sided difference, at an absorbing one.
    const double wall_scale = axis.boundary == Boundary::reflecting ? 0.5 : 1.0;
    petsc::VecArray values(gradient[static_cast<std::size_t>(a)].vec());
    grid.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
      const AxisNeighbours around = ghosted.neighbours(index, a);
      const double centre = ghosted.at(index);
      const double lower = around.has_lower ? around.lower : centre;
      const double upper = around.has_upper ? around.upper : centre;
      const double scale = around.has_lower && around.has_upper ? 0.5 : wall_scale;
      values[offset] = scale * (upper - lower) / axis.h();
    });
  }
  return gradient;
}

} // namespace relax
