// One wrapper around a PETSc TS for every relax solver that integrates in time, in the manner of
// deal.II's PETScWrappers::TimeStepper: the solver hands over its implicit function, Jacobian and
// post-step hook as lambdas; the first exception thrown inside any of them is kept and rethrown
// after the C call has returned (no exception crosses PETSc's frames); a RecoverableStepError
// rejects the step (a SNES domain error, so an adaptive TS retries with a smaller step) instead of
// ending the run at once; solve_interval integrates one output interval and turns a failed or
// non-finite step into a NumericalError. A new TS-based solver is its own file pair plus its
// options prefix. An output interval is one TSSolve, yet PETSc's habits hold for the whole run:
// each monitor (-<prefix>ts_monitor, ...) reports each step once (TSSolve reports its first step,
// the previous interval's last, again) and -<prefix>ts_view prints once, after the first interval.
#pragma once

#include "core/petsc_handle.hpp"
#include "grids/grid.hpp"

#include <petscts.h>

#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace relax {

/// Thrown by a callback for a state it cannot evaluate (out of its domain): the TS rejects the
/// step and, when adaptive, retries it with a smaller one; a fixed-step TS fails the step, which
/// solve_interval reports as a NumericalError.
class RecoverableStepError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// How solve_interval names things in its errors.
struct IntervalLabels {
  std::string solver; ///< "fp"
  std::string field;  ///< "the density"
  std::string hint;   ///< "try a smaller fp.dt or another fp_ts_type"
};

/// What a solver asks of its TS before the options are read.
struct TimeStepperSetup {
  std::string prefix; ///< options prefix: "fp_" gives -fp_ts_type, -fp_pc_type, ...
  TSProblemType problem = TS_NONLINEAR;
  TSType type = TSBEULER;     ///< the default type; -<prefix>ts_type may change it
  double dt = 0;              ///< the step (the first one when adaptive)
  const Grid* grid = nullptr; ///< when set, the TS gets a clone of its DM (geometric MG)
};

class TimeStepper {
public:
  using Function = std::function<void(double t, ::Vec u, ::Vec udot, ::Vec f)>;
  using Jacobian =
      std::function<void(double t, ::Vec u, ::Vec udot, double shift, ::Mat J, ::Mat P)>;
  using PostStep = std::function<void(double t, ::Vec u)>;

  /// Collective on `comm`: creates the TS with the setup (exact final times, no error on a failed
  /// step: solve_interval reports it), unlimited steps.
  TimeStepper(MPI_Comm comm, const TimeStepperSetup& setup);
  /// Destroys the monitors set_from_options took over, then the TS.
  ~TimeStepper();
  TimeStepper(const TimeStepper&) = delete;
  TimeStepper& operator=(const TimeStepper&) = delete;

  void set_ifunction(Function function);
  void set_ijacobian(::Mat J, ::Mat P, Jacobian jacobian);
  void set_post_step(PostStep post_step);

  /// TSSetFromOptions and TSSetUp on a field of `grid` (so that a type the equation cannot use
  /// fails now), then reads back what the options chose: the step (InputError naming `step_name`
  /// unless > 0), the type and whether the step is adaptive. The monitors the options installed
  /// are taken over and called at most once per step number.
  void set_from_options(const std::string& step_name, const Grid& grid);

  /// Collective. Builds the preconditioner on J (the implicit matrix of the first step) now, so
  /// that one the options ask for but that cannot be built on this problem (-fp_pc_type mg on a
  /// size that does not coarsen, a factorization that breaks down) is an InputError naming the
  /// PC before any output exists, not a failure of the first step. The TS's own set-up later
  /// finds the PC built and rebuilds it only when J changes.
  void set_up_preconditioner(::Mat J);

  ::TS ts() const { return ts_; }
  ::SNES snes() const;
  ::KSP ksp() const;
  double dt() const { return dt_; }
  bool is_adaptive() const { return is_adaptive_; }
  bool is_backward_euler() const { return is_backward_euler_; }

  /// Collective. Integrates u from `from` to `to` (> from), ending exactly on `to`. A fixed-step
  /// TS first gets its step back, since the previous interval may have shortened its last step.
  /// Rethrows callback exceptions; NumericalError (on every rank) when a step fails or u becomes
  /// non-finite, or when the TS stops before `to` (its step limit): the state is then at another
  /// time, which is never labelled `to`. Returns the steps taken.
  long solve_interval(double from, double to, GridField& u, const IntervalLabels& labels);

private:
  /// Runs a callback body: keeps the first exception (a RecoverableStepError becomes a SNES
  /// domain error) and returns the PETSc error code.
  template <typename Body> PetscErrorCode guard(Body&& body, bool recoverable) noexcept;
  static PetscErrorCode ifunction_thunk(::TS, PetscReal, ::Vec, ::Vec, ::Vec, void*);
  static PetscErrorCode ijacobian_thunk(::TS, PetscReal, ::Vec, ::Vec, PetscReal, ::Mat, ::Mat,
                                        void*);
  static PetscErrorCode post_step_thunk(::TS);
  static PetscErrorCode monitor_thunk(::TS, PetscInt, PetscReal, ::Vec, void*);
  void rethrow();

  /// A monitor TSSetFromOptions installed, now called by monitor_thunk.
  struct Monitor {
    PetscErrorCode (*monitor)(::TS, PetscInt, PetscReal, ::Vec, void*);
    PetscErrorCode (*destroy)(void**);
    void* context;
  };

  petsc::TS ts_;
  std::string prefix_;
  std::vector<Monitor> monitors_;
  PetscInt last_monitored_step_ = -1;
  long intervals_ = 0;
  Function function_;
  Jacobian jacobian_;
  PostStep post_step_;
  std::exception_ptr error_;
  double dt_ = 0;
  bool is_adaptive_ = false;
  bool is_backward_euler_ = true;
};

} // namespace relax
