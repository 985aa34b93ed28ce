#include "grids/histogram.hpp"

#include "core/error.hpp"
#include "core/mpi.hpp"

#include <boost/math/constants/constants.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <petscdmda.h>

#include <algorithm>
#include <cmath>
#include <limits>

// Cost of the counting scheme. add() bins each point locally: a hit in a cell this rank owns
// increments a dense array of the rank's own cells (the size of a field; no communication); a hit
// in another rank's cell increments a hash map keyed by the cell's PETSc index. reduce() hands the
// map to VecSetValues(ADD_VALUES), whose stash sends each distinct (index, count) pair once to its
// owner, plus one MPI_Allreduce of two integers for the totals. Memory and traffic per rank are
// O(min(points added on the rank, cells)) -- never more than the rank's own particles -- whereas a
// dense array of the whole grid reduced over ranks would cost O(cells) memory on every rank and
// O(cells) traffic per rank whatever the particle count. (Particles are split by id, not by
// position, so most hits are off-rank: locality cannot be assumed.)
// Counts travel as doubles, which hold integers exactly below 2^53, so the sums are exact in any
// order: the result is the same at any rank count.

namespace relax {

Histogram::Histogram(const Grid& grid)
    : grid_(&grid), ordering_(petsc_ordering(grid)), counts_(grid),
      owned_counts_(grid.owned().count(), 0) {}

void Histogram::add(std::size_t n, std::size_t stride, const double* x) {
  const int dim = grid_->dim();
  if (dim > 1 && stride < n) {
    throw Error("Histogram::add: stride " + std::to_string(stride) + " < " + std::to_string(n) +
                " points");
  }
  const CellBox& owned = grid_->owned();
  std::array<double, 3> point{};
  std::array<int, 3> cell{};
  for (std::size_t p = 0; p < n; ++p) {
    for (int d = 0; d < dim; ++d) {
      point[static_cast<std::size_t>(d)] = x[static_cast<std::size_t>(d) * stride + p];
    }
    if (!grid_->locate(point.data(), cell)) {
      ++local_outside_;
      continue;
    }
    bool is_owned = true;
    std::size_t offset = 0;
    for (std::size_t a = 3; a-- > 0;) {
      const int local = cell[a] - owned.start[a];
      is_owned = is_owned && local >= 0 && local < owned.size[a];
      offset = offset * static_cast<std::size_t>(owned.size[a]) + static_cast<std::size_t>(local);
    }
    if (is_owned) {
      ++owned_counts_[offset];
    } else {
      ++remote_counts_[ordering_.petsc_index(cell)];
    }
  }
  local_total_ += static_cast<std::int64_t>(n);
}

void Histogram::reduce() {
  std::vector<PetscInt> indices;
  std::vector<PetscScalar> values;
  indices.reserve(remote_counts_.size());
  values.reserve(remote_counts_.size());
  for (const auto& [index, count] : remote_counts_) {
    indices.push_back(static_cast<PetscInt>(index));
    values.push_back(static_cast<PetscScalar>(count));
  }
  const ::Vec counts = counts_.vec();
  RELAX_PETSC(VecSetValues(counts, static_cast<PetscInt>(indices.size()), indices.data(),
                           values.data(), ADD_VALUES));
  RELAX_PETSC(VecAssemblyBegin(counts));
  RELAX_PETSC(VecAssemblyEnd(counts));
  {
    petsc::VecArray array(counts);
    for (std::size_t i = 0; i < owned_counts_.size(); ++i) {
      array[i] += static_cast<double>(owned_counts_[i]);
    }
  }
  std::int64_t totals[2] = {local_total_, local_outside_};
  RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, totals, 2, MPI_INT64_T, MPI_SUM, grid_->comm()));
  total_ += totals[0];
  outside_ += totals[1];

  std::fill(owned_counts_.begin(), owned_counts_.end(), 0);
  remote_counts_.clear();
  local_total_ = 0;
  local_outside_ = 0;
}

GridField Histogram::density() const {
  GridField density(counts_);
  // An empty histogram has no density; it is reported as zero rather than 0/0.
  const double scale = total_ > 0 ? 1.0 / (static_cast<double>(total_) * grid_->cell_volume()) : 0;
  RELAX_PETSC(VecScale(density.vec(), scale));
  return density;
}

// ---- Statistics ---------------------------------------------------------------------------------

namespace {

/// One bin of Pearson's test.
struct Bin {
  double expected = 0;
  double observed = 0;
  double term() const { return (observed - expected) * (observed - expected) / expected; }
  Bin& operator+=(const Bin& other) {
    expected += other.expected;
    observed += other.observed;
    return *this;
  }
};

/// MPI_DOUBLE_INT layout for MPI_MINLOC: the smallest value, ties to the smallest index.
struct ValueIndex {
  double value;
  int index;
};

} // namespace

ChiSquareResult chi_square(const Histogram& histogram, const GridField& density) {
  const Grid& grid = density.grid();
  if (!same_layout(histogram.counts().grid(), grid)) {
    throw Error("chi_square: the histogram and the density live on different grids");
  }
  constexpr double min_expected = 5; // the usual validity bound of Pearson's approximation
  const auto total = static_cast<double>(histogram.total());
  const double volume = grid.cell_volume();
  const std::array<int, 3> shape = grid.shape();
  const auto natural_index = [&](const std::array<int, 3>& c) {
    return c[0] + shape[0] * (c[1] + shape[1] * c[2]);
  };

  // One pass over the cells, into exact sums (so every count and sum is partition-independent).
  // The kept cell with the smallest expected count (ties to the smallest natural index) is
  // remembered in case the pool is too small to stand alone.
  enum { kept_statistic, density_sum, pool_expected, pool_observed, kept, pooled, impossible, n };
  ExactSum sums[n];
  ValueIndex smallest{std::numeric_limits<double>::infinity(), std::numeric_limits<int>::max()};
  Bin smallest_bin;
  {
    const petsc::ConstVecArray observed(histogram.counts().vec());
    const petsc::ConstVecArray rho(density.vec());
    grid.for_each_owned([&](const std::array<int, 3>& cell, std::size_t i) {
      const Bin bin{total * rho[i] * volume, observed[i]};
      sums[density_sum].add(rho[i]);
      if (bin.expected <= 0 && bin.observed > 0) {
        sums[impossible].add(1.0);
      }
      if (bin.expected >= min_expected) {
        sums[kept_statistic].add(bin.term());
        sums[kept].add(1.0);
        const ValueIndex candidate{bin.expected, natural_index(cell)};
        if (candidate.value < smallest.value ||
            (candidate.value == smallest.value && candidate.index < smallest.index)) {
          smallest = candidate;
          smallest_bin = bin;
        }
      } else {
        sums[pool_expected].add(bin.expected);
        sums[pool_observed].add(bin.observed);
        sums[pooled].add(1.0);
      }
    });
  }
  allreduce(grid.comm(), sums, n);

  double statistic = sums[kept_statistic].value();
  auto kept_bins = static_cast<int>(sums[kept].value());
  Bin pool{sums[pool_expected].value(), sums[pool_observed].value()};

  // The outside of the box: one more bin with the probability the density leaves out (clamped at
  // zero: a density integrating to 1 + round-off leaves none).
  const Bin outside{total * std::max(0.0, 1.0 - sums[density_sum].value() * volume),
                    static_cast<double>(histogram.outside())};
  if (outside.expected >= min_expected) {
    statistic += outside.term();
    ++kept_bins;
  } else {
    pool += outside;
  }

  int bins = kept_bins;
  if (pool.expected >= min_expected) {
    statistic += pool.term();
    ++bins;
  } else if (kept_bins > 0) {
    // Too small to stand alone (often just the round-off outside a normalized density): merge
    // the pool into the kept bin with the smallest expected count, so no bin expects < 5.
    ValueIndex global = smallest;
    RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, &global, 1, MPI_DOUBLE_INT, MPI_MINLOC, grid.comm()));
    const bool is_mine = global.index == smallest.index && std::isfinite(smallest.value);
    double owned[2] = {is_mine ? smallest_bin.expected : 0.0,
                       is_mine ? smallest_bin.observed : 0.0};
    RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, owned, 2, MPI_DOUBLE, MPI_SUM, grid.comm()));
    // The outside bin, when kept, competes too; its index is past every cell's.
    const bool outside_is_smallest =
        outside.expected >= min_expected && outside.expected < global.value;
    Bin target = outside_is_smallest ? outside : Bin{owned[0], owned[1]};
    statistic -= target.term();
    target += pool;
    statistic += target.term();
  }
  if (sums[impossible].value() > 0) {
    // Counts in a cell where the density is exactly zero: impossible under the hypothesis,
    // whatever pooling would dilute them to. (Not so for the outside bin, whose probability
    // 1 - int rho is known only to round-off.)
    statistic = std::numeric_limits<double>::infinity();
  }
  if (std::isnan(sums[density_sum].value())) {
    statistic = sums[density_sum].value(); // a NaN in the density poisons the test
  }

  ChiSquareResult result;
  result.statistic = statistic;
  result.degrees_of_freedom = std::max(0, bins - 1); // the total is fixed; nothing is fitted
  result.pooled_cells = static_cast<int>(sums[pooled].value());
  if (std::isnan(statistic)) {
    result.pvalue = statistic;
  } else if (std::isinf(statistic)) {
    result.pvalue = 0;
  } else if (result.degrees_of_freedom == 0) {
    result.pvalue = 1; // a single bin holds the fixed total: no test is possible
  } else {
    result.pvalue = boost::math::gamma_q(0.5 * result.degrees_of_freedom, 0.5 * statistic);
  }
  return result;
}

double expected_l1_noise(const GridField& density, std::int64_t samples) {
  if (samples <= 0) {
    throw Error("expected_l1_noise: " + std::to_string(samples) + " samples: expected > 0");
  }
  const Grid& grid = density.grid();
  const double volume = grid.cell_volume();
  ExactSum sum;
  {
    const petsc::ConstVecArray rho(density.vec());
    for (double value : rho) {
      const double p = std::clamp(value * volume, 0.0, 1.0);
      sum.add(std::sqrt(p * (1 - p)));
    }
  }
  // E|X/N - p| for X ~ Binomial(N, p) in the normal approximation: sqrt(2 p (1 - p) / (pi N)).
  const double pi = boost::math::constants::pi<double>();
  return allreduce_value(grid.comm(), sum) * std::sqrt(2 / (pi * static_cast<double>(samples)));
}

} // namespace relax
