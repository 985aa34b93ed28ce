// The [fb] configuration keys of `relax fb` (controlled SGD, forward–backward equations) and the
// settings they describe, validated against the grid and the landscape.
#pragma once

#include "core/config.hpp"
#include "grids/grid.hpp"
#include "models/landscape.hpp"
#include "solvers/forward_backward.hpp"
#include "solvers/viscous_hj.hpp"
#include "studies/forward_backward_particles.hpp"

#include <memory>
#include <vector>

namespace relax {

/// fb.c, fb.terminal, fb.steps, fb.scheme, fb.storage, fb.finite_difference, fb.particles, fb.seed,
/// fb.substeps. The horizon T is time.end (declared by the command with the output times).
void declare_forward_backward_options(OptionSet& options);

struct ForwardBackwardSettings {
  ControlledSgdProblem problem;
  ForwardBackwardOptions options;
  bool use_finite_difference = true; ///< also solve (b) at the output times
  HamiltonJacobiOptions finite_difference;
  ControlledParticleSettings particles; ///< particles = 0: no particle run
  std::vector<long> output_levels;      ///< ascending, from 0 to N
};

/// InputError naming the key, its value and what was expected for: a temperature schedule that is
/// not constant, time.end <= 0, fb.c <= 0, a terminal expression that does not parse or is not
/// finite at every cell centre, fb.steps < 1, fb.substeps < 1, fb.particles < 0, a seed outside
/// [0, 2^32), and output times that are not on the time levels. Collective (V is checked on the
/// grid).
ForwardBackwardSettings make_forward_backward_settings(const Config& config, const Grid& grid,
                                                       std::shared_ptr<const Landscape> f);

} // namespace relax
