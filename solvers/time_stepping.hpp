// What every relax solver built on a PETSc TS shares: keeping C++ exceptions out of PETSc's C
// callbacks, MatStencil indices, and integrating one output interval with the checks that turn a
// failed or non-finite step into a NumericalError.
#pragma once

#include "grids/grid.hpp"

#include <petscmat.h>
#include <petscts.h>

#include <array>
#include <exception>
#include <string>

namespace relax {

/// MatSetValuesStencil index of a global cell index.
MatStencil to_stencil(const std::array<int, 3>& index);

/// Exceptions thrown inside PETSc callbacks: run() keeps one and returns a PETSc error code, so it
/// never crosses PETSc's C frames; rethrow() raises it after the PETSc call has returned.
class CallbackErrors {
public:
  template <typename Body> PetscErrorCode run(Body&& body) noexcept {
    try {
      body();
      return 0;
    } catch (...) {
      error_ = std::current_exception();
      return PETSC_ERR_LIB;
    }
  }
  void rethrow();

private:
  std::exception_ptr error_;
};

/// How solve_interval names things in its errors.
struct IntervalLabels {
  std::string solver; ///< "fp"
  std::string field;  ///< "the density"
  std::string hint;   ///< "try a smaller fp.dt or another fp_ts_type"
};

/// Collective. Integrates `ts` on `u` from `from` to `to` (> from), ending exactly on `to`
/// (TS_EXACTFINALTIME_MATCHSTEP). A fixed-step TS (`fixed_dt` > 0) first gets its step back, since
/// the previous interval may have shortened its last step. Rethrows callback exceptions; throws
/// NumericalError (on every rank) when a step fails or u becomes non-finite. Returns the steps
/// taken.
long solve_interval(::TS ts, double from, double to, double fixed_dt, GridField& u,
                    CallbackErrors& callbacks, const IntervalLabels& labels);

} // namespace relax
