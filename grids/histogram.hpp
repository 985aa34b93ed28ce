// Particle histograms on a Grid (bins = cells) and the statistics that say whether a histogram
// agrees with a density within sampling noise: chi-square with p-value, and the expected L1 noise.
#pragma once

#include "grids/dmda_ordering.hpp"
#include "grids/grid.hpp"

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace relax {

class Histogram {
public:
  explicit Histogram(const Grid& grid);

  /// Bins n points given in structure-of-arrays layout: coordinate d of point p is x[d*stride + p].
  /// Not collective; counts stay local until reduce().
  void add(std::size_t n, std::size_t stride, const double* x);
  /// Collective: sums every rank's counts into the distributed count field and the global totals,
  /// then clears the local counts. Counts are integers, so the result is exact at any rank count.
  void reduce();

  /// Global counts per cell (valid after reduce()).
  const GridField& counts() const { return counts_; }
  std::int64_t total() const { return total_; }     ///< points added, inside the box or not
  std::int64_t outside() const { return outside_; } ///< points that fell outside the box
  /// The histogram as a density: counts / (total * cell volume). Integrates to 1 - outside/total.
  GridField density() const;

private:
  // Local counts until reduce(): a dense array for the cells this rank owns, and a map keyed by
  // PETSc global index for the cells of other ranks, so nothing of global size is stored on any
  // rank (costs in histogram.cpp).
  const Grid* grid_;
  DmdaOrdering ordering_;
  GridField counts_;
  std::vector<std::int64_t> owned_counts_;
  std::unordered_map<std::int64_t, std::int64_t> remote_counts_;
  std::int64_t local_total_ = 0;
  std::int64_t local_outside_ = 0;
  std::int64_t total_ = 0;
  std::int64_t outside_ = 0;
};

struct ChiSquareResult {
  double statistic = 0;
  int degrees_of_freedom = 0;
  double pvalue = 1;
  int pooled_cells = 0; ///< cells whose expected count was below 5, pooled into one bin
};

/// Collective. Pearson chi-square of the histogram against `density` (expected count of a cell:
/// total * density * cell volume; the outside of the box is one more bin with the remaining
/// probability). Cells expecting fewer than 5 counts are pooled into one bin (with the outside
/// bin if it too expects fewer than 5); a pool still expecting fewer than 5 joins the kept bin of
/// smallest expected count. Counts in a cell where the density is zero make the statistic
/// +infinity and the p-value 0. The p-value is the upper tail of the chi-square distribution
/// (Boost.Math) with bins - 1 degrees of freedom; it is 1 when fewer than two bins remain.
ChiSquareResult chi_square(const Histogram& histogram, const GridField& density);

/// Collective. Expected L1 distance between `density` and the histogram of `samples` independent
/// draws from it: sum over cells of sqrt(2 p (1 - p) / (pi N)), p = density * cell volume
/// (the mean absolute deviation of a binomial count in the normal approximation).
double expected_l1_noise(const GridField& density, std::int64_t samples);

} // namespace relax
