// Small MPI helpers and an exact, order-independent sum. Every global reduction of floating-point
// data in relax (integrals, moments, distances, particle statistics) goes through ExactSum, so a
// diagnostic has the same bits at any rank count and any partition of the data.
#pragma once

#include <mpi.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace relax {

int comm_rank(MPI_Comm comm);
int comm_size(MPI_Comm comm);

/// Exact sum of doubles in a fixed-point long accumulator covering the whole double range
/// (a Kulisch accumulator in 32-bit limbs). Adding is exact and commutative, so the value depends
/// only on the multiset of summands; value() rounds once. Non-finite summands make the value NaN.
class ExactSum {
public:
  void add(double x);
  ExactSum& operator+=(double x) {
    add(x);
    return *this;
  }
  /// Rounds the exact sum to a double (deterministically; not always correctly rounded in the last
  /// bit).
  double value() const;

  /// Collective: replaces each of `sums[0..count)` by its sum over all ranks of `comm`.
  friend void allreduce(MPI_Comm comm, ExactSum* sums, std::size_t count);

private:
  static constexpr int limb_bits = 32;
  static constexpr int limb_count = 72; // 2^-1152 .. 2^1024 in 32-bit limbs, plus carry headroom
  static constexpr int renormalize_every = 1 << 29;

  void normalize();

  std::array<std::int64_t, limb_count> limbs_{};
  std::int64_t nonfinite_ = 0;
  std::int32_t pending_ = 0;
};

void allreduce(MPI_Comm comm, ExactSum* sums, std::size_t count);

/// Collective convenience: the exact global sum of one local accumulator.
double allreduce_value(MPI_Comm comm, ExactSum sum);

/// Per-column statistics of a distributed column-major block.
struct ColumnMoments {
  std::vector<double> mean;               ///< sum / total, per column
  std::vector<double> squared_deviations; ///< sum of (value - mean)^2, per column
};

/// Collective: the exact mean of each of `columns` columns of a column-major block (column k of
/// local row p at data[k * rows + p]; `rows` on this rank, `total` over all ranks) and each
/// column's sum of squared deviations from that mean. Two exact passes, so the same bits at any
/// rank count.
ColumnMoments exact_column_moments(MPI_Comm comm, const double* data, std::size_t columns,
                                   std::size_t rows, double total);

/// Collective: true on every rank if `local` is true on any rank.
bool any_rank(MPI_Comm comm, bool local);

/// Collective: the non-empty `local` text of the lowest rank that has one, on every rank (empty
/// when no rank has one), so that every rank can throw the same one-line message.
std::string first_nonempty(MPI_Comm comm, const std::string& local);

} // namespace relax
