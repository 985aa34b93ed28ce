// A spectrum run, what `relax spectrum` does: the K slowest modes of the Fokker–Planck generator
// of a problem (landscape, drift, grid and boundaries, beta at spectrum.time) by SLEPc
// (solvers/spectrum), printed as a table and written to /spectrum with the modes as a series the
// XDMF sidecar shows (docs/output.md).
#pragma once

#include "core/config.hpp"

#include <mpi.h>

namespace relax {

/// The problem keys, [spectrum] and [output] (default spectrum.h5).
OptionSet spectrum_run_options();

/// Collective. Everything that can reject the input runs before the output file exists.
void run_spectrum(MPI_Comm comm, const Config& config);

} // namespace relax
