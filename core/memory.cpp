#include "core/memory.hpp"

#include "core/error.hpp"
#include "core/mpi.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

namespace relax {

double available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    std::istringstream fields(line);
    std::string name;
    double kib = 0;
    if (fields >> name >> kib && name == "MemAvailable:") {
      return kib * 1024.0;
    }
  }
  const long pages = sysconf(_SC_AVPHYS_PAGES);
  const long page = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0) {
    return static_cast<double>(pages) * static_cast<double>(page);
  }
  return std::numeric_limits<double>::infinity();
}

std::string short_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

void require_memory(MPI_Comm comm, const std::string& subject, double bytes_per_rank) {
  // The ranks of one node share its memory: their needs add up against one MemAvailable.
  MPI_Comm node = MPI_COMM_NULL;
  MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
  double node_need = 0;
  MPI_Allreduce(&bytes_per_rank, &node_need, 1, MPI_DOUBLE, MPI_SUM, node);
  const int node_ranks = comm_size(node);
  MPI_Comm_free(&node);
  const double available = available_memory_bytes();
  // The worst node decides for all, so that every rank throws alike.
  double local[2] = {node_need - available, 0};
  double worst[2] = {0, 0};
  local[1] = bytes_per_rank;
  MPI_Allreduce(local, worst, 2, MPI_DOUBLE, MPI_MAX, comm);
  if (!(worst[0] > 0)) {
    return;
  }
  const bool is_parallel = comm_size(comm) > 1;
  const double shown_available = is_parallel ? available / node_ranks : available;
  double shown_available_min = 0;
  MPI_Allreduce(&shown_available, &shown_available_min, 1, MPI_DOUBLE, MPI_MIN, comm);
  throw InputError(subject + ": needs " + short_number(worst[1]) + " bytes" +
                   (is_parallel ? " per rank" : "") + ", " + short_number(shown_available_min) +
                   " available" + (is_parallel ? " per rank" : ""));
}

} // namespace relax
