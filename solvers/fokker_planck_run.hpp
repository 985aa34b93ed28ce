// A Fokker–Planck run, what `relax fp` does: the density of a landscape on a grid from an initial
// distribution to time.end, or the stationary state (--stationary). Writes /grid and /fp, one level
// per output time, flushed as it goes (docs/output.md). A numerical failure stops with
// NumericalError after the last good level.
#pragma once

#include "core/config.hpp"

#include <mpi.h>

namespace relax {

/// The problem keys, [fp], [time], [output] (default fp.h5) and the switch `stationary`.
OptionSet fokker_planck_run_options();

/// Collective. Everything that can reject the input runs before the output file exists.
void run_fokker_planck(MPI_Comm comm, const Config& config);

} // namespace relax
