// Shared setup of the grids tests: asymmetric boxes and observed convergence orders.
#pragma once

#include "core/mpi.hpp"
#include "grids/grid.hpp"

#include <cmath>
#include <cstddef>
#include <vector>

namespace relax::test {

/// The first `dim` axes of [-1.3, 2.1] x [-0.7, 0.4] x [0.2, 0.9] with 17, 11, 7 cells times
/// `refine` (h = 0.2, 0.1, 0.1 at refine 1, so faces of a coarse grid stay faces when refined).
inline std::vector<Axis> asymmetric_box(int dim, int refine,
                                        Boundary boundary = Boundary::reflecting) {
  const std::vector<Axis> all{{-1.3, 2.1, 17 * refine, boundary},
                              {-0.7, 0.4, 11 * refine, boundary},
                              {0.2, 0.9, 7 * refine, boundary}};
  return {all.begin(), all.begin() + dim};
}

/// Order p from errors at spacings h and h / ratio: error ~ C h^p.
inline double observed_order(double coarse_error, double fine_error, double ratio = 2) {
  return std::log(std::fabs(coarse_error / fine_error)) / std::log(ratio);
}

/// Natural (global, x fastest) index of a cell.
inline std::size_t natural_index(const Grid& grid, const std::array<int, 3>& cell) {
  const auto shape = grid.shape();
  return static_cast<std::size_t>(cell[0]) +
         static_cast<std::size_t>(shape[0]) *
             (static_cast<std::size_t>(cell[1]) +
              static_cast<std::size_t>(shape[1]) * static_cast<std::size_t>(cell[2]));
}

/// Sets every owned cell of `field` to values[natural index].
inline void assign_natural(GridField& field, const std::vector<double>& values) {
  petsc::VecArray array(field.vec());
  field.grid().for_each_owned([&](const std::array<int, 3>& cell, std::size_t offset) {
    array[offset] = values[natural_index(field.grid(), cell)];
  });
}

/// Collective: the number of cells, over all ranks, whose value differs from values[natural].
inline double count_mismatches(const GridField& field, const std::vector<double>& values) {
  const petsc::ConstVecArray array(field.vec());
  ExactSum mismatches;
  field.grid().for_each_owned([&](const std::array<int, 3>& cell, std::size_t offset) {
    if (!(array[offset] == values[natural_index(field.grid(), cell)])) {
      mismatches.add(1);
    }
  });
  return allreduce_value(field.grid().comm(), mismatches);
}

} // namespace relax::test
