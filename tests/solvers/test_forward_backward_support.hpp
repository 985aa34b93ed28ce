// Problems and runs shared by the forward–backward (controlled SGD) tests.
#pragma once

#include "models/initial.hpp"
#include "solvers/fokker_planck_setup.hpp"
#include "solvers/forward_backward.hpp"

#include "fp_test_support.hpp"

#include <memory>
#include <vector>

namespace relax::test {

inline InitialDistribution gaussian(std::vector<double> mean, std::vector<double> std) {
  InitialDistribution initial;
  initial.kind = InitialDistribution::Kind::gaussian;
  initial.mean = std::move(mean);
  initial.std = std::move(std);
  return initial;
}

/// A grid and a forward-backward solver on it (the solver refers to the grid, so they travel
/// together), started from `initial` projected onto the grid.
struct ForwardBackwardRun {
  std::unique_ptr<Grid> grid;
  std::unique_ptr<ForwardBackwardSolver> solver;

  ForwardBackwardRun(MPI_Comm comm, const std::vector<Axis>& axes,
                     const ControlledSgdProblem& problem, const InitialDistribution& initial,
                     const ForwardBackwardOptions& options)
      : grid(std::make_unique<Grid>(comm, axes)) {
    const GridField rho0 = project_initial_density(*grid, initial);
    solver = std::make_unique<ForwardBackwardSolver>(*grid, problem, rho0, options);
  }

  /// Runs the forward sweep to T.
  ForwardBackwardQuantities finish() {
    while (solver->level() < solver->steps()) {
      solver->step();
    }
    return solver->quantities();
  }
};

/// The 1D problem of the paper's picture in small: a tilted double well f = (x^2 - 1)^2 + 0.3 x
/// (the left well is the lower), V = f, beta = 2, c = 1, T = 1, SGD started in the upper well.
inline ControlledSgdProblem tilted_double_well_problem() {
  ControlledSgdProblem problem;
  problem.f = std::make_shared<TiltedDoubleWell>(1, 0.3);
  problem.V = problem.f;
  problem.beta = 2;
  problem.c = 1;
  problem.T = 1;
  return problem;
}

inline ForwardBackwardOptions steps_of(long steps, const std::string& prefix = "fbtest_") {
  ForwardBackwardOptions options;
  options.steps = steps;
  options.prefix = prefix;
  return options;
}

} // namespace relax::test
