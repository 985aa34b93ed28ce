// The local-entropy study, what `relax hj` does: f_gamma = u(., gamma) of a landscape,
// u_t + |grad u|^2 / 2 = nu Lap u with u(., 0) = f, on a sequence of gamma (scoping) in one run, by
// Cole–Hopf and/or monotone finite differences, with particle estimates of grad f_gamma at given
// points set against the grid solution. Writes /grid, /hj/f and one level per gamma of /hj
// (docs/output.md).
#pragma once

#include "core/config.hpp"

#include <mpi.h>

#include <string>

namespace relax {

/// How the particle estimates fared: the count of (point, gamma, axis) whose chains did not mix
/// (split-R-hat above hj.max_rhat) or whose estimate is more than 4 standard errors from
/// Cole–Hopf, and the first of them in words.
struct HjOutcome {
  long mismatches = 0;
  std::string first;
};

/// [landscape], [grid], [hj], [output] (default hj.h5) and the switch fail-on-mismatch.
OptionSet hj_study_options();

/// Collective. Everything that can reject the input runs before the output file exists;
/// NumericalError (from the finite differences) keeps every level written so far.
/// Warns (one line) about the mismatches after the file is written.
HjOutcome run_hj_study(MPI_Comm comm, const Config& config);

} // namespace relax
