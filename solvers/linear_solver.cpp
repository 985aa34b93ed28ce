#include "solvers/linear_solver.hpp"

#include "core/error.hpp"
#include "core/mpi.hpp"

#include <cmath>
#include <exception>
#include <string>

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

void TridiagonalPreconditioner::attach(::PC pc) {
  RELAX_PETSC(PCSetType(pc, PCSHELL));
  RELAX_PETSC(PCShellSetContext(pc, this));
  RELAX_PETSC(PCShellSetSetUp(pc, setup));
  RELAX_PETSC(PCShellSetApply(pc, apply));
  RELAX_PETSC(PCShellSetName(pc, "tridiagonal (Thomas)"));
}

namespace {

/// Runs `body` inside a PETSc callback: an exception becomes a PETSc error carrying its message,
/// so that it reaches the caller of the PETSc routine (and, through RELAX_PETSC, an exception).
template <typename Body> PetscErrorCode as_petsc_error(const char* where, Body&& body) noexcept {
  try {
    body();
    return 0;
  } catch (const std::exception& e) {
    return ::PetscError(PETSC_COMM_SELF, __LINE__, where, __FILE__, PETSC_ERR_LIB,
                        PETSC_ERROR_INITIAL, "%s", e.what());
  }
}

} // namespace

PetscErrorCode TridiagonalPreconditioner::setup(::PC pc) {
  return as_petsc_error("tridiagonal preconditioner setup", [pc] {
    void* context = nullptr;
    RELAX_PETSC(PCShellGetContext(pc, &context));
    auto& self = *static_cast<TridiagonalPreconditioner*>(context);
    ::Mat P = nullptr;
    RELAX_PETSC(PCGetOperators(pc, nullptr, &P));
    PetscInt n = 0;
    RELAX_PETSC(MatGetSize(P, &n, nullptr));
    const auto size = static_cast<std::size_t>(n);
    self.lower_.assign(size, 0.0);
    self.upper_.assign(size, 0.0);
    self.inverse_pivot_.assign(size, 0.0);
    std::vector<double> diagonal(size, 0.0);
    for (PetscInt i = 0; i < n; ++i) {
      PetscInt count = 0;
      const PetscInt* columns = nullptr;
      const PetscScalar* values = nullptr;
      RELAX_PETSC(MatGetRow(P, i, &count, &columns, &values));
      const auto row = static_cast<std::size_t>(i);
      bool is_banded = true;
      for (PetscInt k = 0; k < count; ++k) {
        const PetscInt j = columns[k];
        if (j == i) {
          diagonal[row] = values[k];
        } else if (j == i - 1) {
          self.lower_[row] = values[k];
        } else if (j == i + 1) {
          self.upper_[row] = values[k];
        } else if (values[k] != 0.0) {
          is_banded = false;
        }
      }
      RELAX_PETSC(MatRestoreRow(P, i, &count, &columns, &values));
      if (!is_banded) {
        throw Error("tridiagonal preconditioner: row " + std::to_string(i) +
                    " couples beyond i-1, i, i+1");
      }
    }
    double pivot = 0;
    for (std::size_t i = 0; i < size; ++i) {
      if (i > 0) {
        self.lower_[i] /= pivot; // the multiplier a_i / p_{i-1}
      }
      pivot = i == 0 ? diagonal[0] : diagonal[i] - self.lower_[i] * self.upper_[i - 1];
      if (!(pivot != 0.0 && std::isfinite(pivot))) {
        throw Error("tridiagonal preconditioner: pivot " + std::to_string(pivot) + " in row " +
                    std::to_string(i));
      }
      self.inverse_pivot_[i] = 1.0 / pivot;
    }
  });
}

PetscErrorCode TridiagonalPreconditioner::apply(::PC pc, ::Vec b, ::Vec x) {
  return as_petsc_error("tridiagonal preconditioner", [pc, b, x] {
    void* context = nullptr;
    RELAX_PETSC(PCShellGetContext(pc, &context));
    const auto& self = *static_cast<const TridiagonalPreconditioner*>(context);
    const PetscScalar* rhs = nullptr;
    PetscScalar* y = nullptr;
    RELAX_PETSC(VecGetArrayRead(b, &rhs));
    RELAX_PETSC(VecGetArrayWrite(x, &y));
    const std::size_t n = self.inverse_pivot_.size();
    const double* lower = self.lower_.data();
    const double* upper = self.upper_.data();
    const double* inverse_pivot = self.inverse_pivot_.data();
    if (n > 0) {
      y[0] = rhs[0]; // L y = b
      for (std::size_t i = 1; i < n; ++i) {
        y[i] = rhs[i] - lower[i] * y[i - 1];
      }
      y[n - 1] *= inverse_pivot[n - 1]; // U x = y
      for (std::size_t i = n - 1; i-- > 0;) {
        y[i] = (y[i] - upper[i] * y[i + 1]) * inverse_pivot[i];
      }
    }
    RELAX_PETSC(VecRestoreArrayWrite(x, &y));
    RELAX_PETSC(VecRestoreArrayRead(b, &rhs));
    RELAX_PETSC(PetscLogFlops(5.0 * static_cast<double>(n)));
  });
}

} // namespace relax
