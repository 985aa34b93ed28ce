// The TS wrapper (solvers/time_stepper.hpp) on u' = -k u, one unknown per cell of a small grid:
// backward Euler reaches its exact discrete value (1 + k dt)^-n; an exception thrown in a callback
// comes out of solve_interval as itself; under an adaptive TS a RecoverableStepError rejects the
// step, which is retried smaller (the run goes on); a fixed-step TS, or a callback that always
// refuses, ends in a NumericalError.
#include "core/error.hpp"
#include "solvers/time_stepper.hpp"

#include <catch2/catch.hpp>
#include <petscsys.h>

#include <cmath>
#include <stdexcept>

using namespace relax;

namespace {

constexpr double rate = 2.0;

/// u' = -rate u as F(t, u, u') = u' + rate u with Jacobian shift + rate (diagonal).
void decay(TimeStepper& stepper, ::Mat J) {
  stepper.set_ifunction(
      [](double, ::Vec u, ::Vec udot, ::Vec f) { RELAX_PETSC(VecWAXPY(f, rate, u, udot)); });
  stepper.set_ijacobian(J, J, [](double, ::Vec, ::Vec, double shift, ::Mat A, ::Mat) {
    RELAX_PETSC(MatZeroEntries(A));
    RELAX_PETSC(MatShift(A, shift + rate));
  });
}

struct DecayProblem {
  /// `prefix` selects options set in the test (an adaptive TS: "test_adaptive_").
  explicit DecayProblem(double dt, const char* prefix = "test_fixed_")
      : grid(PETSC_COMM_WORLD, {Axis{0.0, 1.0, 6, Boundary::reflecting}}), u(grid),
        stepper(grid.comm(), {prefix, TS_LINEAR, TSBEULER, dt, &grid}) {
    RELAX_PETSC(DMCreateMatrix(grid.dm(), J.out()));
    decay(stepper, J);
    stepper.set_from_options("test: time step", grid);
    RELAX_PETSC(VecSet(u.vec(), 1.0));
  }
  double value() const {
    double max = 0;
    RELAX_PETSC(VecMax(u.vec(), nullptr, &max));
    return max;
  }
  Grid grid;
  GridField u;
  petsc::Mat J;
  TimeStepper stepper;
};

} // namespace

TEST_CASE("TimeStepper: backward Euler reaches (1 + k dt)^-n exactly, at 1, 2 and 3 ranks",
          "[solvers][ts][mpi]") {
  DecayProblem p(0.1);
  CHECK(p.stepper.is_backward_euler());
  CHECK_FALSE(p.stepper.is_adaptive());
  const long steps = p.stepper.solve_interval(0.0, 1.0, p.u, {"test", "u", ""});
  CHECK(steps == 10);
  const double exact = std::pow(1.0 + rate * 0.1, -10);
  CAPTURE(p.value(), exact);
  CHECK(std::abs(p.value() - exact) <= 1e-12 * exact);
}

TEST_CASE("TimeStepper: a callback's exception comes out of solve_interval as itself",
          "[solvers][ts]") {
  DecayProblem p(0.1);
  p.stepper.set_ifunction(
      [](double, ::Vec, ::Vec, ::Vec) { throw InputError("landscape: not finite here"); });
  CHECK_THROWS_AS(p.stepper.solve_interval(0.0, 1.0, p.u, {"test", "u", ""}), InputError);
}

TEST_CASE("TimeStepper: a RecoverableStepError rejects the step, which is retried smaller",
          "[solvers][ts]") {
  RELAX_PETSC(PetscOptionsSetValue(nullptr, "-test_adaptive_ts_adapt_type", "basic"));
  DecayProblem p(0.4, "test_adaptive_");
  REQUIRE(p.stepper.is_adaptive());
  ::TS ts = p.stepper.ts();
  long refusals = 0;
  // Refuse every step longer than 0.15: the step 0.4 is retried at 0.1 (a quarter).
  p.stepper.set_ifunction([&](double, ::Vec u, ::Vec udot, ::Vec f) {
    PetscReal dt = 0;
    RELAX_PETSC(TSGetTimeStep(ts, &dt));
    if (dt > 0.15) {
      ++refusals;
      throw RecoverableStepError("step too long");
    }
    RELAX_PETSC(VecWAXPY(f, rate, u, udot));
  });
  const long steps = p.stepper.solve_interval(0.0, 0.4, p.u, {"test", "u", ""});
  // The run reached t = 0.4 with steps of at most 0.15 (at least three), and u is the backward
  // Euler value of some such steps: between (1 + 0.15 k)^-(0.4/0.15) and exp(-0.4 k).
  CAPTURE(p.value(), steps, refusals);
  CHECK(refusals >= 1);
  CHECK(steps >= 3);
  CHECK(p.value() > std::exp(-rate * 0.4));
  CHECK(p.value() < std::pow(1.0 + rate * 0.15, -0.4 / 0.15));
}

TEST_CASE("TimeStepper: a refused step of a fixed-step TS, or refusals without end, are a "
          "NumericalError",
          "[solvers][ts]") {
  const auto never = [](double, ::Vec, ::Vec, ::Vec) { throw RecoverableStepError("never"); };
  DecayProblem fixed(0.1);
  fixed.stepper.set_ifunction(never);
  CHECK_THROWS_AS(fixed.stepper.solve_interval(0.0, 1.0, fixed.u, {"test", "u", "hint"}),
                  NumericalError);
  RELAX_PETSC(PetscOptionsSetValue(nullptr, "-test_adaptive_ts_adapt_type", "basic"));
  DecayProblem adaptive(0.1, "test_adaptive_");
  adaptive.stepper.set_ifunction(never);
  CHECK_THROWS_WITH(adaptive.stepper.solve_interval(0.0, 1.0, adaptive.u, {"test", "u", "hint"}),
                    Catch::Contains("test: time step failed at t = 0"));
}
