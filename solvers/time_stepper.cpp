#include "solvers/time_stepper.hpp"

#include "core/error.hpp"
#include "core/text.hpp"
#include "core/validate.hpp"

#include <algorithm>
#include <cmath>

// PETSc has no public call that lists the monitors TSSetFromOptions installed, which is what
// calling each once per step needs: the TS's monitor table is read from its private header.
#include <petsc/private/tsimpl.h>

#include <utility>

namespace relax {

namespace {

/// Takes `name` out of PETSc's options database for its lifetime and puts it back (with its value)
/// afterwards. An empty name holds nothing.
class HeldOption {
public:
  explicit HeldOption(std::string name) : name_(std::move(name)) {
    if (name_.empty()) {
      return;
    }
    char value[PETSC_MAX_PATH_LEN] = "";
    PetscBool set = PETSC_FALSE;
    RELAX_PETSC(PetscOptionsGetString(nullptr, nullptr, name_.c_str(), value, sizeof value, &set));
    held_ = set == PETSC_TRUE;
    value_ = value;
    if (held_) {
      RELAX_PETSC(PetscOptionsClearValue(nullptr, name_.c_str()));
    }
  }
  ~HeldOption() {
    if (held_) {
      PetscOptionsSetValue(nullptr, name_.c_str(), value_.empty() ? nullptr : value_.c_str());
    }
  }
  HeldOption(const HeldOption&) = delete;
  HeldOption& operator=(const HeldOption&) = delete;

private:
  std::string name_;
  std::string value_;
  bool held_ = false;
};

} // namespace

TimeStepper::TimeStepper(MPI_Comm comm, const TimeStepperSetup& setup)
    : prefix_(setup.prefix), dt_(setup.dt) {
  RELAX_PETSC(TSCreate(comm, ts_.out()));
  RELAX_PETSC(TSSetOptionsPrefix(ts_, setup.prefix.c_str()));
  if (setup.grid != nullptr) {
    // The TS (and through it the SNES, KSP and PC) knows the grid, so geometric multigrid
    // (-fp_pc_type mg -fp_pc_mg_galerkin both) can coarsen it. A clone: the same layout, but its
    // own solver callbacks, so solvers sharing one Grid do not overwrite each other's. TSSetDM
    // takes a reference; ours goes with `dm`. Without coordinates: PETSc 3.18's DMClone copies
    // them but not their DM, and DMCoarsen then recursed without end (a segfault) recreating it;
    // the solvers do not need them (the output takes them from the Grid).
    petsc::DM dm;
    RELAX_PETSC(DMClone(setup.grid->dm(), dm.out()));
    RELAX_PETSC(DMSetCoordinatesLocal(dm, nullptr));
    RELAX_PETSC(DMSetCoordinates(dm, nullptr));
    RELAX_PETSC(TSSetDM(ts_, dm));
  }
  RELAX_PETSC(TSSetProblemType(ts_, setup.problem));
  RELAX_PETSC(TSSetType(ts_, setup.type));
  RELAX_PETSC(TSSetApplicationContext(ts_, this));
  RELAX_PETSC(TSSetTimeStep(ts_, setup.dt));
  RELAX_PETSC(TSSetMaxSteps(ts_, PETSC_MAX_INT));
  RELAX_PETSC(TSSetExactFinalTime(ts_, TS_EXACTFINALTIME_MATCHSTEP));
  RELAX_PETSC(TSSetErrorIfStepFails(ts_, PETSC_FALSE));
}

TimeStepper::~TimeStepper() {
  for (Monitor& m : monitors_) {
    if (m.destroy != nullptr) {
      m.destroy(&m.context);
    }
  }
}

template <typename Body> PetscErrorCode TimeStepper::guard(Body&& body, bool recoverable) noexcept {
  try {
    body();
    return 0;
  } catch (const RecoverableStepError&) {
    if (recoverable) {
      // The step is rejected, not the run: SNES stops with a domain error and the TS adapts.
      ::SNES snes = nullptr;
      return TSGetSNES(ts_, &snes) != 0 ? PETSC_ERR_LIB : SNESSetFunctionDomainError(snes);
    }
    error_ = error_ ? error_ : std::current_exception();
    return PETSC_ERR_LIB;
  } catch (...) {
    error_ = error_ ? error_ : std::current_exception();
    return PETSC_ERR_LIB;
  }
}

PetscErrorCode TimeStepper::ifunction_thunk(::TS, PetscReal t, ::Vec u, ::Vec udot, ::Vec f,
                                            void* context) {
  auto* self = static_cast<TimeStepper*>(context);
  return self->guard([&] { self->function_(t, u, udot, f); }, true);
}

PetscErrorCode TimeStepper::ijacobian_thunk(::TS, PetscReal t, ::Vec u, ::Vec udot, PetscReal shift,
                                            ::Mat J, ::Mat P, void* context) {
  auto* self = static_cast<TimeStepper*>(context);
  return self->guard([&] { self->jacobian_(t, u, udot, shift, J, P); }, true);
}

PetscErrorCode TimeStepper::post_step_thunk(::TS ts) {
  void* context = nullptr;
  const PetscErrorCode code = TSGetApplicationContext(ts, &context);
  if (code != 0) {
    return code;
  }
  auto* self = static_cast<TimeStepper*>(context);
  return self->guard(
      [&] {
        PetscReal t = 0;
        ::Vec u = nullptr;
        RELAX_PETSC(TSGetTime(ts, &t));
        RELAX_PETSC(TSGetSolution(ts, &u));
        self->post_step_(t, u);
      },
      false);
}

PetscErrorCode TimeStepper::monitor_thunk(::TS ts, PetscInt step, PetscReal t, ::Vec u,
                                          void* context) {
  auto* self = static_cast<TimeStepper*>(context);
  if (step == self->last_monitored_step_) {
    return 0; // the previous interval's last step, which TSSolve reports again at its start
  }
  self->last_monitored_step_ = step;
  for (const Monitor& m : self->monitors_) {
    const PetscErrorCode code = m.monitor(ts, step, t, u, m.context);
    if (code != 0) {
      return code;
    }
  }
  return 0;
}

void TimeStepper::set_ifunction(Function function) {
  function_ = std::move(function);
  RELAX_PETSC(TSSetIFunction(ts_, nullptr, ifunction_thunk, this));
}

void TimeStepper::set_ijacobian(::Mat J, ::Mat P, Jacobian jacobian) {
  jacobian_ = std::move(jacobian);
  RELAX_PETSC(TSSetIJacobian(ts_, J, P, ijacobian_thunk, this));
}

void TimeStepper::set_post_step(PostStep post_step) {
  post_step_ = std::move(post_step);
  RELAX_PETSC(TSSetPostStep(ts_, post_step_thunk));
}

void TimeStepper::set_from_options(const std::string& step_name, const Grid& grid) {
  RELAX_PETSC(TSSetFromOptions(ts_));
  ::TS raw = ts_;
  for (PetscInt i = 0; i < raw->numbermonitors; ++i) {
    monitors_.push_back({raw->monitor[i], raw->monitordestroy[i], raw->monitorcontext[i]});
  }
  raw->numbermonitors = 0; // now called, and destroyed, by this TimeStepper
  if (!monitors_.empty()) {
    RELAX_PETSC(TSMonitorSet(ts_, monitor_thunk, this, nullptr));
  }
  // Set up now, on a field of the grid, so that a type the equation cannot use (an explicit
  // -fp_ts_type euler for an implicit function) fails here, before any output exists, and not
  // in the first TSSolve. TSSolve hands the TS the real solution later.
  const GridField solution_like(grid);
  RELAX_PETSC(TSSetSolution(ts_, solution_like.vec()));
  TSType type = nullptr;
  RELAX_PETSC(TSGetType(ts_, &type));
  try {
    RELAX_PETSC(TSSetUp(ts_));
  } catch (const PetscError& e) {
    const char* prefix = nullptr;
    RELAX_PETSC(TSGetOptionsPrefix(ts_, &prefix));
    throw InputError("-" + std::string(prefix != nullptr ? prefix : "") + "ts_type " + type +
                     ": this time stepper cannot integrate the equation (" + e.what() + ")");
  }
  // The viewers of the TS and of its SNES and KSP are read when a solve ends, after the check
  // for unread options (finish_setup): count them as read now, the TS reads them later.
  for (const char* viewer : {"-ts_view", "-snes_view", "-ksp_view", "-snes_converged_reason",
                             "-ksp_converged_reason", "-ts_adapt_view"}) {
    PetscBool is_set = PETSC_FALSE;
    RELAX_PETSC(PetscOptionsHasName(nullptr, prefix_.c_str(), viewer, &is_set));
  }
  is_backward_euler_ = std::string(type) == TSBEULER;
  RELAX_PETSC(TSGetTimeStep(ts_, &dt_));
  require_positive(step_name, dt_);
  ::TSAdapt adapt = nullptr;
  RELAX_PETSC(TSGetAdapt(ts_, &adapt));
  // The step is the user's unless adaptivity is asked for by name: some types switch it on by
  // themselves (TSBDF picks TSADAPTBASIC), which would silently replace the step given.
  const char* prefix = nullptr;
  RELAX_PETSC(TSGetOptionsPrefix(ts_, &prefix));
  PetscBool is_adapt_asked = PETSC_FALSE;
  RELAX_PETSC(PetscOptionsHasName(nullptr, prefix, "-ts_adapt_type", &is_adapt_asked));
  if (is_adapt_asked == PETSC_FALSE) {
    RELAX_PETSC(TSAdaptSetType(adapt, TSADAPTNONE));
  }
  TSAdaptType adapt_type = nullptr;
  RELAX_PETSC(TSAdaptGetType(adapt, &adapt_type));
  is_adaptive_ = std::string(adapt_type) != TSADAPTNONE;
  if (is_adaptive_) {
    // A failed nonlinear solve (a RecoverableStepError among them) rejects the step, which the
    // adaptive TS retries at a quarter of its length, up to -ts_max_reject times in a row. A
    // fixed-step TS keeps PETSc's default: its first failed solve ends the run (NumericalError),
    // since it must not shrink its step behind the user's back.
    RELAX_PETSC(TSSetMaxSNESFailures(ts_, -1));
  }
}

void TimeStepper::set_up_preconditioner(::Mat J) {
  RELAX_PETSC(KSPSetOperators(ksp(), J, J));
  try {
    RELAX_PETSC(KSPSetUp(ksp()));
  } catch (const PetscError& e) {
    ::PC pc = nullptr;
    RELAX_PETSC(KSPGetPC(ksp(), &pc));
    PCType type = nullptr;
    RELAX_PETSC(PCGetType(pc, &type));
    throw InputError("-" + prefix_ + "pc_type " + (type != nullptr ? type : "none") +
                     ": this preconditioner cannot be built on the problem (" + e.what() + ")");
  }
}

::SNES TimeStepper::snes() const {
  ::SNES snes = nullptr;
  RELAX_PETSC(TSGetSNES(ts_, &snes));
  return snes;
}

::KSP TimeStepper::ksp() const {
  ::KSP ksp = nullptr;
  RELAX_PETSC(SNESGetKSP(snes(), &ksp));
  return ksp;
}

void TimeStepper::rethrow() {
  if (error_) {
    std::rethrow_exception(std::exchange(error_, nullptr));
  }
}

long TimeStepper::solve_interval(double from, double to, GridField& u,
                                 const IntervalLabels& labels) {
  RELAX_PETSC(TSSetTime(ts_, from));
  RELAX_PETSC(TSSetMaxTime(ts_, to));
  if (!is_adaptive_) {
    RELAX_PETSC(TSSetTimeStep(ts_, dt_));
  }
  PetscInt first_step = 0;
  RELAX_PETSC(TSGetStepNumber(ts_, &first_step));
  const PetscErrorCode code = [&] {
    // TSSolve ends with TSViewFromOptions(-<prefix>ts_view): after the first interval the option
    // is held back while TSSolve runs, so the view prints once per run.
    const HeldOption held(intervals_++ == 0 ? std::string() : "-" + prefix_ + "ts_view");
    return TSSolve(ts_, u.vec());
  }();
  rethrow();
  RELAX_PETSC(code);
  PetscInt last_step = 0;
  RELAX_PETSC(TSGetStepNumber(ts_, &last_step));
  TSConvergedReason reason = TS_CONVERGED_ITERATING;
  RELAX_PETSC(TSGetConvergedReason(ts_, &reason));
  PetscReal reached = 0;
  RELAX_PETSC(TSGetTime(ts_, &reached));
  if (reason < 0) {
    throw NumericalError(labels.solver + ": time step failed at t = " + format_real(reached) +
                         " (" + TSConvergedReasons[reason] + "); " + labels.hint);
  }
  // A TS that stops before `to` (its step limit, -<prefix>ts_max_steps, reached) holds a state
  // at another time than asked for: never label it with `to`. MATCHSTEP ends within round-off of
  // the interval otherwise.
  if (std::abs(reached - to) > 1e-9 * std::max(std::abs(to), std::abs(to - from))) {
    PetscInt max_steps = 0;
    RELAX_PETSC(TSGetMaxSteps(ts_, &max_steps));
    throw NumericalError(labels.solver + ": the time integration stopped at t = " +
                         format_real(reached) + ", step " + std::to_string(last_step) + " (" +
                         TSConvergedReasons[reason] + ", step limit " + std::to_string(max_steps) +
                         "), before the output time t = " + format_real(to));
  }
  if (!is_finite(u)) {
    throw NumericalError(labels.solver + ": " + labels.field + " became non-finite between t = " +
                         format_real(from) + " and t = " + format_real(to));
  }
  return static_cast<long>(last_step - first_step);
}

} // namespace relax
