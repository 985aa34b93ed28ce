#include "studies/compare_slow_mode.hpp"

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/mpi.hpp"
#include "solvers/linear_solver.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace relax {

namespace {

/// v <- v - (int v) pi: the part of zero mass (pi has mass 1).
void remove_stationary_part(GridField& v, const GridField& stationary) {
  RELAX_PETSC(VecAXPY(v.vec(), -integral(v), stationary.vec()));
}

double normalize(GridField& v) {
  PetscReal norm = 0;
  RELAX_PETSC(VecNormalize(v.vec(), &norm));
  return norm;
}

} // namespace

petsc::KSP make_slow_mode_solver(MPI_Comm comm, const SlowModeOptions& options) {
  DirectSolverOptions direct;
  direct.prefix = options.prefix;
  return make_direct_solver(comm, nullptr, direct);
}

SlowMode slowest_relaxation(::Mat A, const GridField& stationary, const GridField& guess,
                            const SlowModeOptions& options, ::KSP solver) {
  const Grid& grid = stationary.grid();
  PetscReal norm_a = 0;
  RELAX_PETSC(MatNorm(A, NORM_INFINITY, &norm_a));
  const double sigma = 1e-8 * norm_a;
  petsc::Mat shifted;
  RELAX_PETSC(MatDuplicate(A, MAT_COPY_VALUES, shifted.out()));
  RELAX_PETSC(MatScale(shifted, -1.0));
  RELAX_PETSC(MatShift(shifted, sigma));

  petsc::KSP own;
  if (solver == nullptr) {
    own = make_slow_mode_solver(grid.comm(), options);
  }
  const ::KSP ksp = solver != nullptr ? solver : static_cast<::KSP>(own);
  RELAX_PETSC(KSPSetOperators(ksp, shifted, shifted));

  GridField v(guess);
  remove_stationary_part(v, stationary);
  if (!(normalize(v) > 0)) {
    throw Error("slowest_relaxation: the guess has no part of zero mass");
  }
  GridField w(grid);
  GridField product(grid);
  SlowMode mode;
  double previous = 0;
  for (mode.iterations = 1; mode.iterations <= options.max_iterations; ++mode.iterations) {
    RELAX_PETSC(KSPSolve(ksp, v.vec(), w.vec()));
    KSPConvergedReason reason = KSP_CONVERGED_ITERATING;
    RELAX_PETSC(KSPGetConvergedReason(ksp, &reason));
    if (reason < 0) {
      throw NumericalError(std::string("slow mode: the shifted solve failed (") +
                           KSPConvergedReasons[reason] + ")");
    }
    remove_stationary_part(w, stationary);
    normalize(w);
    std::swap(v, w);
    // Rayleigh quotient v.(-A v) for |v| = 1, and the residual (-A v) - lambda1 v.
    RELAX_PETSC(MatMult(A, v.vec(), product.vec()));
    RELAX_PETSC(VecScale(product.vec(), -1.0));
    PetscScalar quotient = 0;
    RELAX_PETSC(VecDot(product.vec(), v.vec(), &quotient));
    mode.lambda1 = quotient;
    RELAX_PETSC(VecAXPY(product.vec(), -mode.lambda1, v.vec()));
    PetscReal residual = 0;
    RELAX_PETSC(VecNorm(product.vec(), NORM_2, &residual));
    mode.residual = residual / norm_a;
    if (!std::isfinite(mode.lambda1)) {
      break;
    }
    // The Rayleigh quotient carries a round-off of a few eps |A| whatever lambda1 is; below that
    // the iteration only jitters (on more ranks, with another LU, by a different amount).
    const double floor = 100 * std::numeric_limits<double>::epsilon() * norm_a;
    if (mode.iterations > 1 && std::abs(mode.lambda1 - previous) <=
                                   std::max(options.tolerance * std::abs(mode.lambda1), floor)) {
      return mode;
    }
    previous = mode.lambda1;
  }
  throw NumericalError("slow mode: no convergence after " + std::to_string(options.max_iterations) +
                       " iterations (lambda1 = " + format_real(mode.lambda1) +
                       ", residual = " + format_real(mode.residual) + ")");
}

} // namespace relax
