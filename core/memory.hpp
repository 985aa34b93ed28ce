// The memory a run will need against what the machine has, checked before the big allocations:
// one estimate per command family (grid fields and PETSc matrices; particles; a network and its
// workspaces) compared with MemAvailable (/proc/meminfo, else sysconf) shared by the ranks of a
// node. A size that cannot fit is an InputError naming the key and both byte counts, e.g.
// "grid.n = 100000 (3 axes): needs 1.2e+16 bytes, 7.6e+09 available", raised on every rank alike.
#pragma once

#include <mpi.h>

#include <string>

namespace relax {

/// `value` with 3 significant digits ("7.95e+10", "1.2e+03", "8"): sizes in messages.
std::string short_number(double value);

/// Bytes this process may still allocate: MemAvailable of /proc/meminfo, else the available
/// physical pages of sysconf; +inf when neither is known.
double available_memory_bytes();

/// Collective. `bytes_per_rank` is this rank's estimated need. Throws InputError("<subject>: needs
/// B bytes, A available") on every rank when, on some node, the ranks' needs together exceed the
/// node's available memory (`subject` names the key and its value). B and A are per rank when
/// the communicator has more than one rank.
void require_memory(MPI_Comm comm, const std::string& subject, double bytes_per_rank);

} // namespace relax
