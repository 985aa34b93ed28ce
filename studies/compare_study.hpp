// The main study, what `relax compare` does: the Fokker–Planck density and N particles on one
// problem, both over all ranks. At t = 0 and at every output time it writes /fp and /sde as the fp
// and sde runs do, and /compare (the histogram against the density, with the noise level and the
// verdict), printing one table row; at the end the comparison with the stationary density
// (/compare/stationary) and, for a double well, the escape rates (/compare/rates). The keys and
// their defaults (the default problem of the README) are the study's own.
#pragma once

#include "core/config.hpp"

#include <mpi.h>

namespace relax {

/// The problem keys, [fp], [time], [sde], [compare], [output] (default compare.h5) and the switch
/// `fail-on-mismatch`, with the default problem's values.
OptionSet compare_study_options();

/// What a compare run found.
struct CompareOutcome {
  long outputs = 0;              ///< comparisons made (t = 0 and every output time)
  long disagreements = 0;        ///< outputs where the verdict is DISAGREE
  double first_disagreement = 0; ///< the time of the first one
};

/// Collective. Everything that can reject the input runs before the output file exists;
/// NumericalError leaves every output written so far.
CompareOutcome run_compare_study(MPI_Comm comm, const Config& config);

} // namespace relax
