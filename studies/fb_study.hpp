// The forward–backward study of controlled SGD, what `relax fb` does (docs/theory.md): on a 1D or
// 2D grid the value function u of the backward HJB by Cole–Hopf (and, to compare, by monotone
// finite differences), the densities of controlled SGD, of SGD and the Doob-transform prediction,
// and optionally particles of controlled and of plain SGD set against them; at the end the
// Theorem-7 table (J0 against E[V] + control cost, and against E[V] of plain SGD). Writes /grid and
// /fb (docs/output.md) and prints the table.
#pragma once

#include "core/config.hpp"

#include <mpi.h>

namespace relax {

/// [landscape], [grid], [temperature], [initial], [time], [fb] and [output] (default fb.h5).
OptionSet fb_study_options();

/// Collective. Everything that can reject the input runs before the output file exists;
/// NumericalError keeps every level written so far.
void run_fb_study(MPI_Comm comm, const Config& config);

} // namespace relax
