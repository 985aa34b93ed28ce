// The slowest relaxation rate of a Fokker–Planck operator A (d rho/dt = A rho): lambda1, the
// smallest nonzero eigenvalue of -A, by shift-and-invert iteration on the fields of zero mass with
// a PETSc KSP (SLEPc is not available). relax compare reads it as the PDE's escape rate
// (solvers/compare.hpp).
#pragma once

#include "core/petsc_handle.hpp"
#include "grids/grid.hpp"

#include <petscmat.h>

#include <string>

namespace relax {

struct SlowModeOptions {
  /// Stop once lambda1 changes from one iteration to the next by at most this much (relative), or
  /// by at most the round-off of its Rayleigh quotient, 100 eps |A|_inf.
  double tolerance = 1e-13;
  int max_iterations = 1000;
  /// Options prefix of the KSP of the shifted operator: LU by default (MUMPS on more than one
  /// rank); e.g. -fp_slow_mode_ksp_type gmres -fp_slow_mode_pc_type gamg for large 2D/3D grids.
  std::string prefix = "fp_slow_mode_";
};

struct SlowMode {
  double lambda1 = 0;
  /// |(-A) v - lambda1 v| / (|A|_inf |v|) for the final mode v: the backward error of the pair.
  double residual = 0;
  int iterations = 0;
};

/// Collective: the KSP of the shifted operator (LU unless the options under `options.prefix` say
/// otherwise), set from the options now and given its operator by slowest_relaxation, so that a
/// run checks those options before it writes anything.
petsc::KSP make_slow_mode_solver(MPI_Comm comm, const SlowModeOptions& options = {});

/// Collective. A conserves mass (its left null vector is the constant field) and has the right null
/// vector `stationary` (mass 1), so the fields of zero mass are invariant under A and carry every
/// other eigenvalue. The iteration v <- (sigma I - A)^-1 v on them (the stationary part that
/// round-off brings back removed at every step), sigma = 1e-8 |A|_inf > 0 so that the shifted
/// operator is a nonsingular M-matrix, converges to the slowest mode at the rate
/// (lambda1 + sigma) / (lambda2 + sigma) per step; lambda1 is its Rayleigh quotient. `guess` must
/// have a component along the slow mode (its stationary part is removed first). NumericalError when
/// the KSP fails or the iteration has not converged after max_iterations. `solver`: one made by
/// make_slow_mode_solver (null: one is made here).
SlowMode slowest_relaxation(::Mat A, const GridField& stationary, const GridField& guess,
                            const SlowModeOptions& options = {}, ::KSP solver = nullptr);

} // namespace relax
