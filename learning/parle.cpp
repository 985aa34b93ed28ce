#include "learning/parle.hpp"

#include "core/error.hpp"
#include "core/mpi.hpp"
#include "learning/samplers.hpp"

#include <algorithm>
#include <limits>
#include <type_traits>

namespace relax {

std::pair<std::size_t, std::size_t> shard(std::size_t count, int rank, int size) {
  const auto r = static_cast<std::size_t>(rank);
  const auto p = static_cast<std::size_t>(size);
  const std::size_t base = count / p;
  const std::size_t extra = count % p;
  const std::size_t first = r * base + std::min(r, extra);
  return {first, first + base + (r < extra ? 1 : 0)};
}

template <typename Real> void allreduce_sum(MPI_Comm comm, Real* values, std::size_t n) {
  if (comm_size(comm) == 1) {
    return;
  }
  const MPI_Datatype type = std::is_same_v<Real, float> ? MPI_FLOAT : MPI_DOUBLE;
  // MPI counts are int: reduce in chunks.
  constexpr std::size_t chunk = std::numeric_limits<int>::max() / 2;
  for (std::size_t start = 0; start < n; start += chunk) {
    RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, values + start,
                            static_cast<int>(std::min(chunk, n - start)), type, MPI_SUM, comm));
  }
}

template <typename Real>
void elastic_couple(MPI_Comm comm, double rho, std::size_t n, Real* x, Real* mean) {
  std::copy(x, x + n, mean);
  allreduce_sum(comm, mean, n);
  const auto inverse = static_cast<Real>(1.0 / comm_size(comm));
  for (std::size_t k = 0; k < n; ++k) {
    mean[k] *= inverse;
  }
  elastic_pull(n, rho, mean, x);
}

template void allreduce_sum<float>(MPI_Comm, float*, std::size_t);
template void allreduce_sum<double>(MPI_Comm, double*, std::size_t);
template void elastic_couple<float>(MPI_Comm, double, std::size_t, float*, float*);
template void elastic_couple<double>(MPI_Comm, double, std::size_t, double*, double*);

} // namespace relax
