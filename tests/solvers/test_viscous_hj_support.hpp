// Helpers shared by the viscous HJ and forward–backward tests: closed-form comparisons over a
// region of the grid, and the comparison of a distributed field with the same field computed on one
// rank.
#pragma once

#include "core/mpi.hpp"
#include "grids/grid.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

namespace relax::test {

/// Collective: max over the owned cells whose centre satisfies `inside` of |u - exact(x)|.
inline double max_error(const GridField& u, const std::function<double(const double*)>& exact,
                        const std::function<bool(const double*)>& inside) {
  const Grid& grid = u.grid();
  double worst = 0;
  const petsc::ConstVecArray values(u.vec());
  std::array<double, 3> x{};
  grid.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
    grid.centre(index, x.data());
    if (inside(x.data())) {
      worst = std::max(worst, std::fabs(values[offset] - exact(x.data())));
    }
  });
  MPI_Allreduce(MPI_IN_PLACE, &worst, 1, MPI_DOUBLE, MPI_MAX, grid.comm());
  return worst;
}

/// Collective: max |distributed - serial| over all cells, `serial` living on a one-rank grid of
/// the same axes (each rank holds its own copy).
inline double max_difference_to_serial(const GridField& distributed, const GridField& serial) {
  const Grid& grid = distributed.grid();
  const std::array<int, 3> shape = grid.shape();
  double worst = 0;
  const petsc::ConstVecArray a(distributed.vec());
  const petsc::ConstVecArray b(serial.vec());
  grid.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
    const auto natural =
        static_cast<std::size_t>(index[0]) +
        static_cast<std::size_t>(shape[0]) *
            (static_cast<std::size_t>(index[1]) +
             static_cast<std::size_t>(shape[1]) * static_cast<std::size_t>(index[2]));
    const double d = std::fabs(a[offset] - b[natural]);
    worst = std::max(worst, std::isnan(d) ? HUGE_VAL : d);
  });
  MPI_Allreduce(MPI_IN_PLACE, &worst, 1, MPI_DOUBLE, MPI_MAX, grid.comm());
  return worst;
}

/// Least-squares slope of log(error) against log(h): the measured order of a refinement study.
inline double least_squares_order(const std::vector<double>& h, const std::vector<double>& errors) {
  const auto count = static_cast<double>(h.size());
  double mean_x = 0;
  double mean_y = 0;
  for (std::size_t i = 0; i < h.size(); ++i) {
    mean_x += std::log(h[i]) / count;
    mean_y += std::log(errors[i]) / count;
  }
  double sxy = 0;
  double sxx = 0;
  for (std::size_t i = 0; i < h.size(); ++i) {
    sxy += (std::log(h[i]) - mean_x) * (std::log(errors[i]) - mean_y);
    sxx += (std::log(h[i]) - mean_x) * (std::log(h[i]) - mean_x);
  }
  return sxy / sxx;
}

} // namespace relax::test
