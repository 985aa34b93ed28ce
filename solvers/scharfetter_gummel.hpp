// The Scharfetter–Gummel (exponential-fitting) flux of the Fokker–Planck finite volumes
// (docs/theory.md): pure pointwise math, no PETSc. The operator assembly calls these functions and
// nothing else knows the formula.
#pragma once

#include <cmath>

namespace relax {

/// Bernoulli function B(z) = z / (e^z - 1), B(0) = 1. Accurate to a few ulp wherever B(z) is a
/// normal double: a Taylor series near 0 (where z / expm1(z) is 0/0), z / expm1(z) for z < 0, and
/// z e^-z / (1 - e^-z) for z > 0, which never forms e^z and so underflows gracefully to 0 instead
/// of dividing by an overflowed expm1(z) (B(710) = 3.2e-306 is representable, e^710 is not).
/// For z -> -inf, B(z) -> -z.
inline double bernoulli(double z) {
  // Series 1 - z/2 + z^2/12 - z^4/720 + z^6/30240 - ...: truncated after z^4, the first
  // neglected term is below 3.4e-17 for |z| < 1e-2, under half an ulp of B ~ 1.
  if (std::fabs(z) < 1e-2) {
    const double z2 = z * z;
    return 1.0 - 0.5 * z + z2 * (1.0 / 12.0 - z2 * (1.0 / 720.0));
  }
  if (z < 0) {
    return z / std::expm1(z);
  }
  return z * std::exp(-z) / -std::expm1(-z);
}

/// Flux from the left cell to the right cell across one face (docs/theory.md):
///   J = (D/h) [B(dpsi) rho_l - B(-dpsi) rho_r],
/// h the distance between the two points, D the diffusion and dpsi the dimensionless potential
/// jump: beta (f_r - f_l) for a gradient drift (J vanishes exactly on exp(-beta f)), -h b/D for a
/// drift b at the face. Upwinds for |dpsi| >> 1 and reduces to D (rho_l - rho_r)/h at dpsi = 0.
inline double scharfetter_gummel_flux(double dpsi, double rho_l, double rho_r, double D, double h) {
  return D / h * (bernoulli(dpsi) * rho_l - bernoulli(-dpsi) * rho_r);
}

/// The flux of rho_t = -(b rho)' + (D rho)'' with a position-dependent D (docs/theory.md): SG in
/// u = D rho, J = b rho - (D rho)' = (b/D) u - u', across one face:
///   J = (1/h) [B(dpsi) D_l rho_l - B(-dpsi) D_r rho_r],
/// dpsi = -int_l^r b/D dx the dimensionless potential jump (w / D at the face midpoint for the
/// energy jump w of a FaceDrift). J vanishes exactly on D_r rho_r / (D_l rho_l) = exp(-dpsi); for
/// D_l = D_r = D it is the flux above (the same number, not always the same bits).
inline double variable_diffusion_flux(double dpsi, double rho_l, double rho_r, double D_l,
                                      double D_r, double h) {
  return (bernoulli(dpsi) * D_l * rho_l - bernoulli(-dpsi) * D_r * rho_r) / h;
}

} // namespace relax
