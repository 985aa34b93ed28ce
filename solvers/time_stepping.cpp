#include "solvers/time_stepping.hpp"

#include "core/config.hpp"
#include "core/error.hpp"

#include <utility>

namespace relax {

MatStencil to_stencil(const std::array<int, 3>& index) {
  MatStencil s{};
  s.i = index[0];
  s.j = index[1];
  s.k = index[2];
  return s;
}

void CallbackErrors::rethrow() {
  if (error_) {
    std::rethrow_exception(std::exchange(error_, nullptr));
  }
}

long solve_interval(::TS ts, double from, double to, double fixed_dt, GridField& u,
                    CallbackErrors& callbacks, const IntervalLabels& labels) {
  RELAX_PETSC(TSSetTime(ts, from));
  RELAX_PETSC(TSSetMaxTime(ts, to));
  if (fixed_dt > 0) {
    RELAX_PETSC(TSSetTimeStep(ts, fixed_dt));
  }
  PetscInt first_step = 0;
  RELAX_PETSC(TSGetStepNumber(ts, &first_step));
  const PetscErrorCode code = TSSolve(ts, u.vec());
  callbacks.rethrow();
  RELAX_PETSC(code);
  PetscInt last_step = 0;
  RELAX_PETSC(TSGetStepNumber(ts, &last_step));
  TSConvergedReason reason = TS_CONVERGED_ITERATING;
  RELAX_PETSC(TSGetConvergedReason(ts, &reason));
  PetscReal reached = 0;
  RELAX_PETSC(TSGetTime(ts, &reached));
  if (reason < 0) {
    throw NumericalError(labels.solver + ": time step failed at t = " + format_real(reached) +
                         " (" + TSConvergedReasons[reason] + "); " + labels.hint);
  }
  if (!is_finite(u)) {
    throw NumericalError(labels.solver + ": " + labels.field + " became non-finite between t = " +
                         format_real(from) + " and t = " + format_real(to));
  }
  return static_cast<long>(last_step - first_step);
}

} // namespace relax
