// MPI glue of distributed training (docs/theory.md): data-parallel gradients (each rank one
// contiguous shard of the global minibatch, then a sum over ranks) and Parle/elastic replicas (one
// per rank, pulled toward the replicas' mean every L steps by sde/samplers.hpp's elastic_pull).
#pragma once

#include <mpi.h>

#include <cstddef>
#include <utility>

namespace relax {

/// The contiguous part [first, last) of `count` items that rank `rank` of `size` owns; the first
/// count % size ranks own one item more (uneven shards are allowed).
std::pair<std::size_t, std::size_t> shard(std::size_t count, int rank, int size);

/// Collective: values[0..n) <- their sum over the ranks of `comm`.
template <typename Real> void allreduce_sum(MPI_Comm comm, Real* values, std::size_t n);

/// Collective elastic coupling: mean <- average of x over the ranks, then x <- x - rho (x - mean).
/// The replicas' mean is unchanged by the pull, and rho = 1 makes all replicas equal.
template <typename Real>
void elastic_couple(MPI_Comm comm, double rho, std::size_t n, Real* x, Real* mean);

} // namespace relax
