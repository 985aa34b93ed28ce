// Values of a grid solution off the grid: the tensor-product quadratic interpolant of a
// cell-centred field through the 3^d cells around a point, and the minimizer of a field refined
// below the grid by Newton's method on that interpolant. This is how u = f_gamma (viscous), the
// heat-smoothed f and the Hopf–Lax envelope of `relax hj` are read at arbitrary points (/hj/query,
// /hj/minimizer), and the function that checks the optimizers of learning/ (HEAT, HJ, H-ESGD)
// against the grid: their gradient estimates are compared with `interpolate(u, x).gradient`.
//
// Order: for a smooth field the value is O(h^3) and the gradient O(h^2) accurate (the quadratic
// Lagrange interpolant per axis; exact for fields quadratic in each axis); the refined minimizer is
// O(h^2) (the gradient's error divided by the curvature).
#pragma once

#include "grids/grid.hpp"

#include <vector>

namespace relax {

/// The interpolant and its first two derivatives at a point.
struct FieldPoint {
  double value = 0;
  std::vector<double> gradient; ///< dim entries
  std::vector<double> hessian;  ///< dim x dim, row-major
};

/// Collective; the same bits on every rank and at any rank count. The stencil is centred on the
/// cell that holds x, moved inward on a non-periodic axis so that it stays in the box (one-sided
/// there, of the same order), wrapped on a periodic one. InputError unless x lies in the box and
/// every axis has at least 3 cells.
FieldPoint interpolate(const GridField& field, const double* x);

/// Newton's step of a quadratic model: solves hessian step = -gradient (dim <= 3, row-major) by
/// Cholesky; false when the Hessian is not positive definite.
bool newton_step(std::vector<double> hessian, const std::vector<double>& gradient,
                 std::vector<double>& step);

/// Where the interpolant of `field` is least near its least cell (field_minimum): Newton's method
/// from that cell's centre, accepted when the Hessian there is positive definite and the step stays
/// within one cell of the centre (else the cell centre: a minimum on a wall or a flat field).
struct RefinedMinimum {
  double value = 0;
  std::vector<double> location;
};
/// Collective; the same on every rank.
RefinedMinimum refined_minimum(const GridField& field);

} // namespace relax
