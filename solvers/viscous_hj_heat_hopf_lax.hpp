// The two limits of the viscous HJ equation u_t + |grad u|^2/2 = nu Lap u that `relax hj` also
// solves on the grid (docs/theory.md): the heat equation u_t = nu Lap u (no Hamiltonian; the
// HEAT smoothing of Deep Relaxation, nu = 1/(2 beta)) and the inviscid HJ u_t + |grad u|^2/2 = 0
// (nu -> 0), both from u(., 0) = f. Both are exact formulas evaluated on the grid, distributed like
// Cole–Hopf (LogGaussianConvolution's line communicators):
// * heat:      u(., t) = G_{2 nu t} * f, the lattice-normalized Gaussian of
// viscous_hj_log_gaussian.hpp
//              applied to f + C in the log domain (C = 1 - min f makes it positive; the kernel sums
//              to one, so G * C = C). Spectrally accurate on the lattice. Periodic or reflecting
//              axes (even images: du/dn = 0); an absorbing axis has no conserved kernel and is
//              refused.
// * inviscid:  Hopf–Lax, u(x, t) = min_y f(y) + |x - y|^2/(2t), separable: the minimum along one
// axis
//              after the other. Along a line the least lattice term is refined below the grid by
//              the exact minimum of (quadratic interpolant of the data) + (x - y)^2/(2t) within one
//              cell of it, so a smooth convex problem is O(h^3) accurate (exact for quadratic f).
//              The minimum is over the box (a state constraint): even images never win, so
//              reflecting and absorbing axes give the same u; periodic axes use the nearest image.
// The gradient at a point: heat, the derivative of the convolution, exp(log G*(f+C)) (<y> - x)/(2
// nu t); Hopf–Lax, (x - prox_t f(x))/t with the proximal point refined like the values.
#pragma once

#include "grids/grid.hpp"
#include "solvers/viscous_hj.hpp"

namespace relax {

class HeatSolver {
public:
  /// Collective. InputError unless nu > 0 is finite, f is finite and no axis is absorbing.
  HeatSolver(const Grid& grid, const GridField& f, double nu);

  /// Collective: u(., t) at the cell centres (t = 0: f up to rounding).
  void solve(double t, GridField& u) const;
  /// Collective: u and grad u at a point of the box by the same quadrature (the gradient of the
  /// discrete convolution up to its lattice normalization); `mean` is the f+C-weighted kernel mean.
  /// Requires t > 0.
  HamiltonJacobiPoint evaluate(const double* x, double t) const;

private:
  const Grid& grid_;
  double nu_;
  double shift_;     // C = 1 - min f
  GridField log_fc_; // log(f + C)
  LogGaussianConvolution convolution_;
};

class HopfLaxSolver {
public:
  /// Collective. InputError unless f is finite and every axis has at least 3 cells.
  HopfLaxSolver(const Grid& grid, const GridField& f);

  /// Collective: u(., t) at the cell centres (t = 0: f).
  void solve(double t, GridField& u) const;
  /// Collective: u(x, t), the proximal point prox_t f(x) (in `mean`) and grad u = (x - prox)/t,
  /// from the least lattice term refined by Newton's step on the quadratic interpolant of f there
  /// (viscous_hj_interpolation.hpp), kept within one cell and the box. Requires t > 0.
  HamiltonJacobiPoint evaluate(const double* x, double t) const;

private:
  const Grid& grid_;
  GridField f_;
  LogGaussianConvolution lines_;
};

} // namespace relax
