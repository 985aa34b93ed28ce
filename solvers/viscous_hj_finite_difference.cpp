// (b) of the viscous HJ solver: the monotone Godunov scheme integrated implicitly by a PETSc TS.
#include "solvers/viscous_hj.hpp"

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/mpi.hpp"
#include "core/validate.hpp"
#include "grids/ghosted_values.hpp"
#include "solvers/time_stepping.hpp"
#include "solvers/viscous_hj_godunov.hpp"

#include <petscdmda.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace relax {

HamiltonJacobiSolver::HamiltonJacobiSolver(const Grid& grid, const HamiltonJacobiProblem& problem,
                                           const HamiltonJacobiOptions& options)
    : grid_(grid), problem_(problem), options_(options) {
  require_positive("viscous HJ: nu", problem_.nu);
  require_non_negative("viscous HJ: c", problem_.c);
  for (int a = 0; a < grid_.dim(); ++a) {
    if (grid_.axis(a).boundary == Boundary::absorbing) {
      throw InputError("grid.bc = absorbing (axis " + std::to_string(a) +
                       "): the finite-difference HJ solver needs reflecting (Neumann) or "
                       "periodic boundaries");
    }
  }
  require_positive("viscous HJ: time step", options_.dt);
  const auto dim = static_cast<std::size_t>(grid_.dim());
  drift_.assign(grid_.owned().count() * dim, 0.0);
  if (problem_.drift) {
    std::array<double, 3> x{};
    grid_.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
      grid_.centre(index, x.data());
      problem_.drift(x.data(), drift_.data() + offset * dim);
    });
    const bool local =
        std::all_of(drift_.begin(), drift_.end(), [](double h) { return std::isfinite(h); });
    if (any_rank(grid_.comm(), !local)) {
      throw InputError("viscous HJ: the drift h(x) is not finite at every cell centre");
    }
  }
  RELAX_PETSC(DMCreateLocalVector(grid_.dm(), local_.out()));
  RELAX_PETSC(DMCreateMatrix(grid_.dm(), jacobian_.out()));

  RELAX_PETSC(TSCreate(grid_.comm(), ts_.out()));
  RELAX_PETSC(TSSetOptionsPrefix(ts_, options_.prefix.c_str()));
  RELAX_PETSC(TSSetProblemType(ts_, TS_NONLINEAR));
  RELAX_PETSC(TSSetType(ts_, TSBEULER)); // monotone for any step
  RELAX_PETSC(TSSetIFunction(ts_, nullptr, form_ifunction, this));
  RELAX_PETSC(TSSetIJacobian(ts_, jacobian_, jacobian_, form_ijacobian, this));
  RELAX_PETSC(TSSetTimeStep(ts_, options_.dt));
  RELAX_PETSC(TSSetMaxSteps(ts_, PETSC_MAX_INT));
  RELAX_PETSC(TSSetExactFinalTime(ts_, TS_EXACTFINALTIME_MATCHSTEP));
  RELAX_PETSC(TSSetErrorIfStepFails(ts_, PETSC_FALSE));
  ::SNES snes = nullptr;
  RELAX_PETSC(TSGetSNES(ts_, &snes));
  // Newton to well below the discretization error, so that results agree across rank counts
  // (different preconditioners) to ~1e-10; the step-length test stops it at round-off.
  RELAX_PETSC(SNESSetTolerances(snes, 1e-10, 1e-10, PETSC_DEFAULT, 50, PETSC_DEFAULT));
  RELAX_PETSC(TSSetFromOptions(ts_));
  RELAX_PETSC(TSGetTimeStep(ts_, &options_.dt));
  require_positive("viscous HJ: time step", options_.dt);
  ::TSAdapt adapt = nullptr;
  RELAX_PETSC(TSGetAdapt(ts_, &adapt));
  TSAdaptType adapt_type = nullptr;
  RELAX_PETSC(TSAdaptGetType(adapt, &adapt_type));
  is_adaptive_ = std::string(adapt_type) != TSADAPTNONE;
}

HamiltonJacobiSolver::~HamiltonJacobiSolver() = default;

template <typename F> void HamiltonJacobiSolver::for_each_stencil(::Vec u, F&& f) {
  const GhostedValues ghosted(grid_, u, local_);
  grid_.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
    f(index, offset, ghosted.at(index), [&](int axis) { return ghosted.neighbours(index, axis); });
  });
}

void HamiltonJacobiSolver::residual(::Vec u, ::Vec udot, ::Vec f) {
  const auto dim = static_cast<std::size_t>(grid_.dim());
  const petsc::ConstVecArray rate(udot);
  petsc::VecArray out(f);
  for_each_stencil(u, [&](const std::array<int, 3>& /*index*/, std::size_t offset, double centre,
                          auto&& neighbours) {
    double value = rate[offset];
    for (std::size_t a = 0; a < dim; ++a) {
      const AxisHamiltonian H{problem_.c, drift_[offset * dim + a]};
      value += hj_axis_residual(H, problem_.nu, grid_.axis(static_cast<int>(a)).h(), centre,
                                neighbours(static_cast<int>(a)))
                   .value;
    }
    out[offset] = value;
  });
}

void HamiltonJacobiSolver::jacobian(::Vec u, double shift, ::Mat J) {
  const auto dim = static_cast<std::size_t>(grid_.dim());
  RELAX_PETSC(MatZeroEntries(J));
  for_each_stencil(u, [&](const std::array<int, 3>& index, std::size_t offset, double centre,
                          auto&& neighbours) {
    const MatStencil row = to_stencil(index);
    std::array<MatStencil, 7> columns{};
    std::array<PetscScalar, 7> values{};
    columns[0] = row;
    values[0] = shift;
    std::size_t count = 1;
    for (std::size_t a = 0; a < dim; ++a) {
      const AxisNeighbours around = neighbours(static_cast<int>(a));
      const AxisHamiltonian H{problem_.c, drift_[offset * dim + a]};
      const AxisResidual r =
          hj_axis_residual(H, problem_.nu, grid_.axis(static_cast<int>(a)).h(), centre, around);
      values[0] += r.d_centre;
      // Out-of-range indices on a periodic axis are the DMDA's wrapped ghosts.
      std::array<int, 3> other = index;
      if (around.has_lower) {
        other[a] = index[a] - 1;
        columns[count] = to_stencil(other);
        values[count++] = r.d_lower;
      }
      if (around.has_upper) {
        other[a] = index[a] + 1;
        columns[count] = to_stencil(other);
        values[count++] = r.d_upper;
      }
    }
    // ADD_VALUES: on a periodic axis of two cells both neighbours are the same cell.
    RELAX_PETSC(MatSetValuesStencil(J, 1, &row, static_cast<PetscInt>(count), columns.data(),
                                    values.data(), ADD_VALUES));
  });
  RELAX_PETSC(MatAssemblyBegin(J, MAT_FINAL_ASSEMBLY));
  RELAX_PETSC(MatAssemblyEnd(J, MAT_FINAL_ASSEMBLY));
}

PetscErrorCode HamiltonJacobiSolver::form_ifunction(::TS /*ts*/, PetscReal /*t*/, ::Vec u,
                                                    ::Vec udot, ::Vec f, void* context) {
  auto* self = static_cast<HamiltonJacobiSolver*>(context);
  return self->callbacks_.run([&] { self->residual(u, udot, f); });
}

PetscErrorCode HamiltonJacobiSolver::form_ijacobian(::TS /*ts*/, PetscReal /*t*/, ::Vec u,
                                                    ::Vec /*udot*/, PetscReal shift, ::Mat J,
                                                    ::Mat P, void* context) {
  auto* self = static_cast<HamiltonJacobiSolver*>(context);
  return self->callbacks_.run([&] {
    self->jacobian(u, shift, P);
    if (J != P) {
      RELAX_PETSC(MatAssemblyBegin(J, MAT_FINAL_ASSEMBLY));
      RELAX_PETSC(MatAssemblyEnd(J, MAT_FINAL_ASSEMBLY));
    }
  });
}

void HamiltonJacobiSolver::advance_to(double t, GridField& u) {
  if (!(t >= time_)) {
    throw Error("HamiltonJacobiSolver::advance_to(" + format_real(t) +
                "): before the current time " + format_real(time_));
  }
  if (t == time_) {
    return;
  }
  steps_ += solve_interval(
      ts_, time_, t, is_adaptive_ ? 0.0 : options_.dt, u, callbacks_,
      {"viscous HJ", "u", "try a smaller time step or another " + options_.prefix + "snes_type"});
  time_ = t;
}

} // namespace relax
