// Rank-0 logging. Every rank may call these (they are not collective); only rank 0 of `comm`
// prints, so messages appear once however many ranks run.
#pragma once

#include <mpi.h>

#include <string>

namespace relax {

/// A line on stdout from rank 0.
void log_info(MPI_Comm comm, const std::string& message);

/// "relax: warning: ..." on stderr from rank 0.
void log_warning(MPI_Comm comm, const std::string& message);

} // namespace relax
