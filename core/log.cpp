#include "core/log.hpp"

#include "core/mpi.hpp"
#include "core/terminal.hpp"

#include <cstdio>

namespace relax {

void log_info(MPI_Comm comm, const std::string& message) {
  if (comm_rank(comm) == 0) {
    terminal::clear_live_line();
    std::fprintf(stdout, "%s\n", message.c_str());
    std::fflush(stdout);
  }
}

void log_warning(MPI_Comm comm, const std::string& message) {
  if (comm_rank(comm) == 0) {
    terminal::clear_live_line();
    std::fprintf(stderr, "relax: warning: %s\n", message.c_str());
  }
}

} // namespace relax
