// (b) of the viscous HJ solver: the monotone Godunov scheme integrated implicitly by a PETSc TS.
#include "solvers/viscous_hj.hpp"

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/mpi.hpp"
#include "solvers/viscous_hj_ghosts.hpp"

#include <petscdmda.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace relax {

namespace {

MatStencil to_stencil(const std::array<int, 3>& index) {
  MatStencil s{};
  s.i = index[0];
  s.j = index[1];
  s.k = index[2];
  return s;
}

/// Runs `body` inside a PETSc callback: an exception is kept in `error` (and rethrown by the
/// caller after the PETSc call returns) instead of crossing PETSc's C frames.
template <typename Body> PetscErrorCode run_callback(std::exception_ptr& error, Body&& body) {
  try {
    body();
    return 0;
  } catch (...) {
    error = std::current_exception();
    return PETSC_ERR_LIB;
  }
}

} // namespace

HamiltonJacobiSolver::HamiltonJacobiSolver(const Grid& grid, const HamiltonJacobiProblem& problem,
                                           const HamiltonJacobiOptions& options)
    : grid_(grid), problem_(problem), options_(options) {
  if (!(problem_.nu > 0) || !std::isfinite(problem_.nu)) {
    throw InputError("viscous HJ: nu = " + format_real(problem_.nu) + ": expected a number > 0");
  }
  if (!(problem_.c >= 0) || !std::isfinite(problem_.c)) {
    throw InputError("viscous HJ: c = " + format_real(problem_.c) + ": expected a number >= 0");
  }
  for (int a = 0; a < grid_.dim(); ++a) {
    if (grid_.axis(a).boundary == Boundary::absorbing) {
      throw InputError("grid.bc = absorbing (axis " + std::to_string(a) +
                       "): the finite-difference HJ solver needs reflecting (Neumann) or "
                       "periodic boundaries");
    }
  }
  if (!(options_.dt > 0) || !std::isfinite(options_.dt)) {
    throw InputError("viscous HJ: time step " + format_real(options_.dt) +
                     ": expected a number > 0");
  }
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
  if (!(options_.dt > 0) || !std::isfinite(options_.dt)) {
    throw InputError("viscous HJ: time step " + format_real(options_.dt) +
                     ": expected a number > 0");
  }
  ::TSAdapt adapt = nullptr;
  RELAX_PETSC(TSGetAdapt(ts_, &adapt));
  TSAdaptType adapt_type = nullptr;
  RELAX_PETSC(TSAdaptGetType(adapt, &adapt_type));
  is_adaptive_ = std::string(adapt_type) != TSADAPTNONE;
}

HamiltonJacobiSolver::~HamiltonJacobiSolver() = default;

template <typename F> void HamiltonJacobiSolver::for_each_stencil(::Vec u, F&& f) {
  const detail::GhostedValues ghosted(grid_, u, local_);
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
  return run_callback(self->callback_error_, [&] { self->residual(u, udot, f); });
}

PetscErrorCode HamiltonJacobiSolver::form_ijacobian(::TS /*ts*/, PetscReal /*t*/, ::Vec u,
                                                    ::Vec /*udot*/, PetscReal shift, ::Mat J,
                                                    ::Mat P, void* context) {
  auto* self = static_cast<HamiltonJacobiSolver*>(context);
  return run_callback(self->callback_error_, [&] {
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
  RELAX_PETSC(TSSetTime(ts_, time_));
  RELAX_PETSC(TSSetMaxTime(ts_, t));
  if (!is_adaptive_) { // undo the shortening of the previous interval's last step
    RELAX_PETSC(TSSetTimeStep(ts_, options_.dt));
  }
  PetscInt first_step = 0;
  RELAX_PETSC(TSGetStepNumber(ts_, &first_step));
  const PetscErrorCode code = TSSolve(ts_, u.vec());
  if (callback_error_) {
    std::rethrow_exception(std::exchange(callback_error_, nullptr));
  }
  RELAX_PETSC(code);
  PetscInt last_step = 0;
  RELAX_PETSC(TSGetStepNumber(ts_, &last_step));
  steps_ += last_step - first_step;
  TSConvergedReason reason = TS_CONVERGED_ITERATING;
  RELAX_PETSC(TSGetConvergedReason(ts_, &reason));
  PetscReal reached = 0;
  RELAX_PETSC(TSGetTime(ts_, &reached));
  if (reason < 0) {
    throw NumericalError("viscous HJ: time step failed at t = " + format_real(reached) + " (" +
                         TSConvergedReasons[reason] + "); try a smaller time step or another " +
                         options_.prefix + "snes_type");
  }
  if (!detail::is_finite(u)) {
    throw NumericalError("viscous HJ: u became non-finite between t = " + format_real(time_) +
                         " and t = " + format_real(t));
  }
  time_ = t;
}

} // namespace relax
