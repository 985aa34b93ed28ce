// The linear solves that want round-off accuracy by default (stationary density, slow mode,
// backward Kolmogorov steps): one KSP set up for a direct solve, which PETSc options under the
// solver's prefix can turn into an iterative one for grids too large to factor.
#pragma once

#include "core/petsc_handle.hpp"

#include <mpi.h>

#include <string>

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

} // namespace relax
