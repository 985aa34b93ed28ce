// The [sde] configuration keys and the ensemble settings they describe.
#pragma once

#include "core/config.hpp"
#include "sde/ensemble.hpp"
#include "sde/ensemble_output.hpp"

#include <cstdint>
#include <vector>

namespace relax {

/// [sde] particles, integrator, dt, seed, friction, mass, noise, block, histogram, snapshot_every,
/// checkpoint, restart, passage, passage_axis, passage_level, passage_times.
void declare_sde_options(OptionSet& options);

/// The ensemble settings of the [sde] keys for particles of dimension `dim`. InputError naming the
/// key for N < 1, dt <= 0, a seed outside [0, 2^32), friction or mass <= 0, a passage axis outside
/// [0, dim), a negative block size.
EnsembleSettings make_ensemble_settings(const Config& config, int dim);

/// What to write per output (sde.snapshot_every, sde.checkpoint, sde.passage_times) with the
/// histogram on `grid` (null: none). InputError for a negative snapshot interval.
SdeOutputPlan make_sde_output_plan(const Config& config, const Grid* grid);

} // namespace relax
