// A particle run, what `relax sde` does: N particles of Langevin dynamics on a landscape, spread
// over the ranks, from an initial distribution (or a checkpoint, sde.restart) to time.end. Writes
// /sde and /checkpoint at t = 0 and at every output time, flushed as it goes (docs/output.md).
// Results have the same bits at any rank count. A particle that becomes non-finite stops the run
// with NumericalError after the last good output.
#pragma once

#include "core/config.hpp"

#include <mpi.h>

namespace relax {

/// The problem keys, [sde], [time] and [output] (default sde.h5).
OptionSet ensemble_run_options();

/// Collective. Everything that can reject the input, including sampling or reading the initial
/// state, runs before the output file exists.
void run_ensemble(MPI_Comm comm, const Config& config);

} // namespace relax
