#include "solvers/linear_solver.hpp"

#include "core/error.hpp"
#include "core/mpi.hpp"

namespace relax {

void configure_direct_solver(::KSP ksp, MPI_Comm comm, const DirectSolverOptions& options) {
  ::PC pc = nullptr;
  RELAX_PETSC(KSPGetPC(ksp, &pc));
  RELAX_PETSC(KSPSetType(ksp, KSPPREONLY));
  const bool is_parallel = comm_size(comm) > 1;
  if (is_parallel && options.parallel == ParallelFactorization::redundant) {
    RELAX_PETSC(PCSetType(pc, PCREDUNDANT));
  } else {
    RELAX_PETSC(PCSetType(pc, PCLU));
    if (is_parallel) {
      RELAX_PETSC(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS));
    }
  }
  RELAX_PETSC(KSPSetTolerances(ksp, options.rtol, options.abstol, PETSC_DEFAULT, PETSC_DEFAULT));
}

petsc::KSP make_direct_solver(MPI_Comm comm, ::Mat A, const DirectSolverOptions& options) {
  petsc::KSP ksp;
  RELAX_PETSC(KSPCreate(comm, ksp.out()));
  RELAX_PETSC(KSPSetOptionsPrefix(ksp, options.prefix.c_str()));
  if (A != nullptr) {
    RELAX_PETSC(KSPSetOperators(ksp, A, A));
  }
  configure_direct_solver(ksp, comm, options);
  RELAX_PETSC(KSPSetFromOptions(ksp));
  return ksp;
}

} // namespace relax
