#include "core/log.hpp"

#include "core/mpi.hpp"

#include <cstdio>

namespace relax {

void log_info(MPI_Comm comm, const std::string& message) {
  if (comm_rank(comm) == 0) {
    std::fprintf(stdout, "%s\n", message.c_str());
    std::fflush(stdout);
  }
}

void log_warning(MPI_Comm comm, const std::string& message) {
  if (comm_rank(comm) == 0) {
    std::fprintf(stderr, "relax: warning: %s\n", message.c_str());
  }
}

} // namespace relax
