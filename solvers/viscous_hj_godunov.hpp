// The monotone scheme of the finite-difference viscous Hamilton–Jacobi solver (docs/theory.md):
// Godunov's numerical Hamiltonian of the convex, separable H(x, p) = c|p|^2/2 + h(x).p, taken one
// axis at a time, and the residual one axis contributes to a cell. Pure math: no PETSc.
#pragma once

#include "grids/axis_neighbours.hpp"

namespace relax {

/// One axis of H: H_a(p) = c p^2/2 + b p, with b = h_a at the cell centre and c >= 0.
struct AxisHamiltonian {
  double c = 1;
  double b = 0;
  double operator()(double p) const { return 0.5 * c * p * p + b * p; }
  double derivative(double p) const { return c * p + b; }
};

/// Godunov's numerical Hamiltonian and its derivatives with respect to the one-sided slopes.
struct GodunovFlux {
  double value = 0;
  double d_minus = 0; ///< dG/dp- >= 0
  double d_plus = 0;  ///< dG/dp+ <= 0
};

/// G(p-, p+) = min of H over [p-, p+] when p- <= p+, max of H over [p+, p-] otherwise, from the
/// slopes p- = (u_i - u_{i-1})/h and p+ = (u_{i+1} - u_i)/h. For a convex H with its minimum at
/// p* = -b/c this is max(H(max(p-, p*)), H(min(p+, p*))); for c = 0 it is upwinding (b p- when
/// b > 0, b p+ when b < 0). Monotone (nondecreasing in p-, nonincreasing in p+), consistent
/// (G(p, p) = H(p)) and Lipschitz. The derivatives are those of the active branch: a generalized
/// Jacobian at the kinks, which is what a semismooth Newton method needs.
inline GodunovFlux godunov_flux(const AxisHamiltonian& H, double p_minus, double p_plus) {
  GodunovFlux flux;
  if (H.c == 0) {
    if (H.b > 0) {
      flux.value = H.b * p_minus;
      flux.d_minus = H.b;
    } else if (H.b < 0) {
      flux.value = H.b * p_plus;
      flux.d_plus = H.b;
    }
    return flux;
  }
  const double p_star = -H.b / H.c;
  const bool is_left_free = p_minus > p_star; // max(p-, p*) = p-
  const bool is_right_free = p_plus < p_star; // min(p+, p*) = p+
  const double left = H(is_left_free ? p_minus : p_star);
  const double right = H(is_right_free ? p_plus : p_star);
  if (left >= right) {
    flux.value = left;
    flux.d_minus = is_left_free ? H.derivative(p_minus) : 0.0;
  } else {
    flux.value = right;
    flux.d_plus = is_right_free ? H.derivative(p_plus) : 0.0;
  }
  return flux;
}

// A neighbour that does not exist (beyond a reflecting wall) is taken equal to the cell itself, so
// the slope across the wall face is zero: the homogeneous Neumann condition du/dn = 0, for the
// Hamiltonian and the viscous term alike.

/// One axis's part of the residual of cell i and its derivatives with respect to u_i and the two
/// neighbours (zero for a missing one).
struct AxisResidual {
  double value = 0;
  double d_centre = 0; ///< >= 0
  double d_lower = 0;  ///< <= 0
  double d_upper = 0;  ///< <= 0
};

/// G(p-, p+) - nu (p+ - p-)/h: the axis's term of F_i = du_i/dt + H_h(u)_i - nu (Lap_h u)_i, the
/// monotone semi-discretization of u_t + H(x, grad u) = nu Lap u. Its derivatives make the
/// implicit-Euler Jacobian an M-matrix (positive diagonal, nonpositive off-diagonal, diagonally
/// dominant), so backward Euler is monotone for any time step.
inline AxisResidual hj_axis_residual(const AxisHamiltonian& H, double nu, double h, double u,
                                     const AxisNeighbours& neighbours) {
  const double p_minus = neighbours.has_lower ? (u - neighbours.lower) / h : 0.0;
  const double p_plus = neighbours.has_upper ? (neighbours.upper - u) / h : 0.0;
  const GodunovFlux flux = godunov_flux(H, p_minus, p_plus);
  AxisResidual residual;
  residual.value = flux.value - nu * (p_plus - p_minus) / h;
  if (neighbours.has_lower) {
    residual.d_lower = -(flux.d_minus / h + nu / (h * h));
  }
  if (neighbours.has_upper) {
    residual.d_upper = flux.d_plus / h - nu / (h * h);
  }
  residual.d_centre = -(residual.d_lower + residual.d_upper);
  return residual;
}

} // namespace relax
