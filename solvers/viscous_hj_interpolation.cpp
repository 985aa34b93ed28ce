// The quadratic interpolant of a grid field and the sub-grid minimizer
// (viscous_hj_interpolation.hpp).
#include "solvers/viscous_hj_interpolation.hpp"

#include "core/error.hpp"
#include "core/mpi.hpp"
#include "core/petsc_handle.hpp"
#include "core/text.hpp"
#include "core/validate.hpp"
#include "solvers/viscous_hj.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

namespace relax {

namespace {

constexpr int max_dim = 3;
constexpr int stencil_width = 3;

/// The Lagrange weights of cells -1, 0, +1 at offset s (in cells) from the middle one, and those
/// of the first and second derivatives.
struct AxisWeights {
  std::array<double, stencil_width> value{};
  std::array<double, stencil_width> slope{};
  std::array<double, stencil_width> curvature{};
  std::array<int, stencil_width> cell{};
};

AxisWeights axis_weights(const Axis& axis, double x) {
  if (axis.n < stencil_width) {
    throw InputError("interpolation needs at least 3 cells per axis, the grid has " +
                     std::to_string(axis.n));
  }
  const double h = axis.h();
  const int held = std::clamp(static_cast<int>(std::floor((x - axis.lo) / h)), 0, axis.n - 1);
  const bool periodic = axis.boundary == Boundary::periodic;
  const int middle = periodic ? held : std::clamp(held, 1, axis.n - 2);
  const double s = (x - axis.centre(middle)) / h;
  AxisWeights w;
  w.value = {0.5 * s * (s - 1), 1 - s * s, 0.5 * s * (s + 1)};
  w.slope = {(s - 0.5) / h, -2 * s / h, (s + 0.5) / h};
  w.curvature = {1 / (h * h), -2 / (h * h), 1 / (h * h)};
  for (int k = 0; k < stencil_width; ++k) {
    const int cell = middle + k - 1;
    w.cell[static_cast<std::size_t>(k)] = periodic ? (cell + axis.n) % axis.n : cell;
  }
  return w;
}

} // namespace

FieldPoint interpolate(const GridField& field, const double* x) {
  const Grid& grid = field.grid();
  const int dim = grid.dim();
  std::array<AxisWeights, max_dim> weights;
  for (int a = 0; a < dim; ++a) {
    const Axis& axis = grid.axis(a);
    if (!(x[a] >= axis.lo && x[a] <= axis.hi)) {
      throw InputError("interpolation point " + format_real(x[a]) + " along x" + std::to_string(a) +
                       " lies outside the grid box [" + format_real(axis.lo) + ", " +
                       format_real(axis.hi) + "]");
    }
    weights[static_cast<std::size_t>(a)] = axis_weights(axis, x[a]);
  }
  // The 3^d stencil values: each from the rank that owns it, zero elsewhere, so the sum is exact.
  int count = 1;
  for (int a = 0; a < dim; ++a) {
    count *= stencil_width;
  }
  std::vector<double> values(static_cast<std::size_t>(count), 0.0);
  const CellBox& owned = grid.owned();
  {
    const petsc::ConstVecArray local(field.vec());
    for (int k = 0; k < count; ++k) {
      std::size_t offset = 0;
      std::size_t stride = 1;
      bool is_owned = true;
      for (int a = 0, rest = k; a < dim; ++a, rest /= stencil_width) {
        const auto sa = static_cast<std::size_t>(a);
        const int cell = weights[sa].cell[static_cast<std::size_t>(rest % stencil_width)];
        const int local_cell = cell - owned.start[sa];
        is_owned = is_owned && local_cell >= 0 && local_cell < owned.size[sa];
        offset += static_cast<std::size_t>(std::max(local_cell, 0)) * stride;
        stride *= static_cast<std::size_t>(owned.size[sa]);
      }
      if (is_owned) {
        values[static_cast<std::size_t>(k)] = local[offset];
      }
    }
  }
  RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, values.data(), count, MPI_DOUBLE, MPI_SUM, grid.comm()));

  const auto d = static_cast<std::size_t>(dim);
  FieldPoint point;
  point.gradient.assign(d, 0.0);
  point.hessian.assign(d * d, 0.0);
  for (int k = 0; k < count; ++k) {
    std::array<std::size_t, max_dim> digit{};
    for (int a = 0, rest = k; a < dim; ++a, rest /= stencil_width) {
      digit[static_cast<std::size_t>(a)] = static_cast<std::size_t>(rest % stencil_width);
    }
    // The product of the value weights of every axis but `skip1` and `skip2`.
    const auto product = [&](std::size_t skip1, std::size_t skip2) {
      double p = values[static_cast<std::size_t>(k)];
      for (std::size_t a = 0; a < d; ++a) {
        if (a != skip1 && a != skip2) {
          p *= weights[a].value[digit[a]];
        }
      }
      return p;
    };
    point.value += product(d, d);
    for (std::size_t a = 0; a < d; ++a) {
      point.gradient[a] += weights[a].slope[digit[a]] * product(a, d);
      point.hessian[a * d + a] += weights[a].curvature[digit[a]] * product(a, d);
      for (std::size_t b = a + 1; b < d; ++b) {
        const double mixed =
            weights[a].slope[digit[a]] * weights[b].slope[digit[b]] * product(a, b);
        point.hessian[a * d + b] += mixed;
        point.hessian[b * d + a] += mixed;
      }
    }
  }
  return point;
}

bool newton_step(std::vector<double> hessian, const std::vector<double>& gradient,
                 std::vector<double>& step) {
  const std::size_t d = gradient.size();
  for (std::size_t j = 0; j < d; ++j) { // lower triangle of H becomes L
    for (std::size_t k = 0; k < j; ++k) {
      hessian[j * d + j] -= hessian[j * d + k] * hessian[j * d + k];
    }
    if (!(hessian[j * d + j] > 0)) {
      return false;
    }
    hessian[j * d + j] = std::sqrt(hessian[j * d + j]);
    for (std::size_t i = j + 1; i < d; ++i) {
      for (std::size_t k = 0; k < j; ++k) {
        hessian[i * d + j] -= hessian[i * d + k] * hessian[j * d + k];
      }
      hessian[i * d + j] /= hessian[j * d + j];
    }
  }
  step.assign(d, 0.0);
  for (std::size_t i = 0; i < d; ++i) { // L y = -g
    double sum = -gradient[i];
    for (std::size_t k = 0; k < i; ++k) {
      sum -= hessian[i * d + k] * step[k];
    }
    step[i] = sum / hessian[i * d + i];
  }
  for (std::size_t i = d; i-- > 0;) { // L^T d = y
    double sum = step[i];
    for (std::size_t k = i + 1; k < d; ++k) {
      sum -= hessian[k * d + i] * step[k];
    }
    step[i] = sum / hessian[i * d + i];
  }
  return true;
}

RefinedMinimum refined_minimum(const GridField& field) {
  const Grid& grid = field.grid();
  const FieldMinimum least = field_minimum(field);
  RefinedMinimum result{least.value, least.location};
  std::vector<double> x = least.location;
  std::vector<double> step;
  constexpr int most_iterations = 20;
  for (int iteration = 0; iteration < most_iterations; ++iteration) {
    const FieldPoint p = interpolate(field, x.data());
    if (!newton_step(p.hessian, p.gradient, step)) {
      return result; // not convex here: the cell centre
    }
    double largest = 0; // the step in cells
    for (std::size_t a = 0; a < x.size(); ++a) {
      const Axis& axis = grid.axis(static_cast<int>(a));
      x[a] += step[a];
      if (!(std::abs(x[a] - least.location[a]) <= axis.h()) || x[a] < axis.lo || x[a] > axis.hi) {
        return result; // the minimum of the interpolant is not near this cell
      }
      largest = std::max(largest, std::abs(step[a]) / axis.h());
    }
    if (largest < 1e-13) {
      break;
    }
  }
  const FieldPoint p = interpolate(field, x.data());
  result.value = p.value;
  result.location = x;
  return result;
}

} // namespace relax
