// The slowest modes of the Fokker–Planck generator (docs/theory.md §2.6) by SLEPc: the K
// eigenvalues of -A nearest to zero (relaxation rates, 0 for the stationary state of a conserving
// box) with their eigenfunctions, for any landscape, drift, boundary and dimension, over MPI. A
// gradient drift satisfies detailed balance with g = exp(-beta f), so -A is similar to the
// symmetric S = G^{-1/2} (-A) G^{1/2}, whose off-diagonal entries are -sqrt(A_ij A_ji): a Hermitian
// problem with real rates and orthogonal modes. Any other drift is solved as the non-symmetric
// problem, where rates come in complex-conjugate pairs. Shift-and-invert with a direct LU by
// default; the EPS options prefix (default "fp_spectrum_") changes method, target and solver.
#pragma once

#include "grids/grid.hpp"
#include "solvers/fokker_planck.hpp"

#include <complex>
#include <string>
#include <vector>

namespace relax {

struct SpectrumOptions {
  int count = 6;             ///< K: the number of modes wanted
  double tolerance = 1e-12;  ///< SLEPc's convergence tolerance
  int max_iterations = 1000; ///< SLEPc's restarts
  /// EPS options prefix: -fp_spectrum_eps_type krylovschur, -fp_spectrum_st_pc_type gamg, ...
  std::string prefix = "fp_spectrum_";
};

/// One mode: rate lambda (an eigenvalue of -A, so rho(t) ~ exp(-lambda t) rho) and eigenfunction.
struct SpectralMode {
  std::complex<double> rate;
  /// ||(-A) rho - lambda rho|| / (||A||_inf ||rho||), computed on the operator solved: for a
  /// gradient drift in the norm of L2(1/pi) (that of the symmetrized S), Euclidean otherwise.
  double residual = 0;
  GridField real; ///< Re rho
  GridField imag; ///< Im rho (zero for a real rate)
};

struct Spectrum {
  double beta = 0;
  /// True for a gradient drift (the symmetrized, Hermitian problem).
  bool is_symmetric = false;
  /// Ascending in Re lambda, then Im lambda (a conjugate pair: negative imaginary part first).
  /// Normalization: a gradient drift's modes have int rho^2 / pi = 1 with pi the normalized Gibbs
  /// density (so the stationary mode is pi itself, and the modes are orthonormal in L2(1/pi));
  /// otherwise int |rho|^2 = 1. The phase makes the entry of largest modulus real and positive.
  std::vector<SpectralMode> modes;
};

/// Collective. The options.count slowest modes of the solver's operator at beta(solver.time()).
/// NumericalError when SLEPc converges fewer; InputError when options.count < 1 or exceeds the
/// number of cells.
Spectrum slowest_modes(const FokkerPlanckSolver& solver, const SpectrumOptions& options = {});

/// Collective. Creates the eigensolver slowest_modes would and sets it from the options, so that
/// a bad -<prefix>eps_* option is rejected, and PETSc counts the options as read, before a
/// command that computes the spectrum at its end creates its output.
void check_spectrum_options(MPI_Comm comm, const SpectrumOptions& options = {});

} // namespace relax
