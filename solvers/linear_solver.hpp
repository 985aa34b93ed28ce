// The linear solves that want round-off accuracy by default (stationary density, slow mode,
// backward Kolmogorov steps): one KSP set up for a direct solve, which PETSc options under the
// solver's prefix can turn into an iterative one for grids too large to factor; and the direct
// solve of a tridiagonal system (the 1D implicit FP step) by the Thomas algorithm.
#pragma once

#include "core/petsc_handle.hpp"

#include <mpi.h>

#include <petscpc.h>

#include <string>
#include <vector>

namespace relax {

/// How the direct solve factors on more than one rank.
enum class ParallelFactorization {
  mumps,    ///< MUMPS's distributed LU
  redundant ///< PCREDUNDANT: every rank factors the gathered matrix (deterministic bits)
};

struct DirectSolverOptions {
  std::string prefix;  ///< PETSc options prefix, e.g. "fp_stationary_"
  double rtol = 1e-14; ///< tolerances of an iterative method chosen by options
  double abstol = 1e-300;
  ParallelFactorization parallel = ParallelFactorization::mumps;
};

/// Collective on `comm`. A KSP that applies LU once (KSPPREONLY; on several ranks per
/// `options.parallel`) with `A` as its operator (null: set later with KSPSetOperators), then
/// KSPSetFromOptions, so -<prefix>ksp_type / -<prefix>pc_type override the default.
petsc::KSP make_direct_solver(MPI_Comm comm, ::Mat A, const DirectSolverOptions& options);

/// Collective. Sets an existing KSP (e.g. the one inside a SLEPc spectral transformation) up for
/// the same direct solve as make_direct_solver, without reading the options (its owner does).
void configure_direct_solver(::KSP ksp, MPI_Comm comm, const DirectSolverOptions& options);

/// The Thomas algorithm as a PCSHELL for a sequential AIJ matrix whose row i couples only columns
/// i-1, i, i+1 (the implicit matrix of a 1D FP step on a reflecting or absorbing axis): LU without
/// pivoting, exact and stable for the column diagonally dominant M-matrices of backward Euler and
/// BDF. The factors are rebuilt in PCSetUp, i.e. only when the matrix changed; an application is
/// one forward and one backward sweep over three arrays, about half of PETSc's general sparse
/// triangular solves (MatSolve) of the same factorization. A setup on a matrix outside the band
/// or with a zero pivot fails with a PETSc error.
class TridiagonalPreconditioner {
public:
  TridiagonalPreconditioner() = default;
  TridiagonalPreconditioner(const TridiagonalPreconditioner&) = delete;
  TridiagonalPreconditioner& operator=(const TridiagonalPreconditioner&) = delete;

  /// Makes `pc` a PCSHELL (named "tridiagonal (Thomas)") that calls this object, which must
  /// outlive the PC's use of it.
  void attach(::PC pc);

private:
  static PetscErrorCode setup(::PC pc);
  static PetscErrorCode apply(::PC pc, ::Vec b, ::Vec x);

  std::vector<double> lower_;         ///< l_i = a_i / p_{i-1} (the multipliers of L)
  std::vector<double> upper_;         ///< c_i, the superdiagonal of U
  std::vector<double> inverse_pivot_; ///< 1 / p_i, the inverted diagonal of U
};

} // namespace relax
