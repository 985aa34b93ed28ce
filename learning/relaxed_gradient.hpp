// The gradient estimates of the Deep Relaxation optimizers (HEAT, HJ, H-ESGD: rows heat, hj, hesgd
// of learning/sampler_table.cpp) at one point, with their standard errors: what a test or a study
// compares with the PDE's solution (the heat equation, Hopf-Lax, the viscous HJ by Cole-Hopf) on
// a landscape. docs/theory.md 7.9 gives each estimator, its PDE and the map of keys to the PDE's
// time and viscosity. Runs on one process (MPI_COMM_SELF); no output.
#pragma once

#include "learning/model.hpp"
#include "learning/samplers_driver.hpp"

#include <cstddef>
#include <vector>

namespace relax {

struct RelaxedGradientEstimate {
  std::vector<double> mean;           ///< per coordinate: the mean of the repeats
  std::vector<double> standard_error; ///< sample standard deviation of the repeats / sqrt(repeats)
  int repeats = 0;
};

/// `repeats` (>= 2) independent estimates of grad u(x, t0) by the rule of options.sampler (heat,
/// hj or hesgd; Error otherwise) on `model`, each from the rule's own minibatches and noise (the
/// counters advance from one to the next; the time is the unscoped t0 of step 0). On a landscape
/// HJ's estimate is deterministic (standard error 0): its error is the inner loop's contraction.
RelaxedGradientEstimate estimate_relaxed_gradient(Model<double>& model,
                                                  const SamplerOptions& options,
                                                  const std::vector<double>& x, int repeats);

} // namespace relax
