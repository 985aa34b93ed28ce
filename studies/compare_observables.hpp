// The observables of `relax compare` (docs/theory.md §6.7): numbers a reader cares about, each
// estimated by the PDE and by the particles with a standard error and a p-value, so that a small
// systematic shift the L1 distance and the chi-square cannot see (0.2% of the mass moving between
// two wells) is seen. Every observable is a sum over the grid cells of a cell mass times a weight,
// on both sides the same: PDE masses rho_i |cell|, particle masses counts_i / N. So binning is
// identical and only the two dynamics differ. The observables: the mass of each basin of attraction
// of the minima of f found on the grid (steepest descent from cell to neighbouring cell, any
// dimension), the mass of user-given regions (compare.regions), the mean and the variance along
// each axis, and <f>. Standard errors are those of N independent particles drawn from the PDE's
// cell masses (the null hypothesis); a mass's p-value is the exact two-sided binomial tail, the
// others' the normal one.
#pragma once

#include "grids/grid.hpp"
#include "grids/histogram.hpp"
#include "models/landscape.hpp"

#include <string>
#include <vector>

namespace relax {

struct Observable {
  enum class Kind { mass, mean, variance, expectation };
  Kind kind = Kind::mass;
  std::string name;       ///< "basin_0", "region_1", "mean_x0", "var_x0", "mean_f"
  std::string definition; ///< one sentence: what is summed over which cells
  GridField weight;       ///< the indicator, x_axis or f at the cell centres
};

/// Collective. Basins of the minima of `f` on the grid (in the natural order of their minimum
/// cell), one region per muParser expression of `regions` (a cell is inside where the expression
/// at its centre is nonzero; InputError naming compare.regions), mean and variance per axis, <f>.
/// Every rank evaluates f at every cell to find the basins (O(cells) memory per rank).
std::vector<Observable> make_observables(const Grid& grid, const Landscape& f,
                                         const std::vector<std::string>& regions);

struct ObservableValue {
  double pde = 0;
  double particles = 0;
  double standard_error = 0; ///< of the particle estimate, under the PDE's law
  double z = 0;              ///< (particles - pde) / standard_error
  double pvalue = 1;         ///< two-sided: exact binomial for a mass, normal otherwise
};

/// Collective. Every observable of `observables` for the PDE density and the reduced histogram
/// (same grid). Exact sums: the same values at any rank count.
std::vector<ObservableValue> evaluate_observables(const std::vector<Observable>& observables,
                                                  const GridField& density,
                                                  const Histogram& histogram);

/// The z beyond which a two-sided test at level `level` rejects: Phi^-1(1 - level / 2).
double critical_z(double level);

/// Holm–Bonferroni over p-values: the indices of those rejected at family-wise level alpha
/// (ascending p_(k) rejected while p_(k) <= alpha / (M - k + 1)). Some index is rejected exactly
/// when min p <= alpha / M.
std::vector<std::size_t> holm_rejections(const std::vector<double>& pvalues, double alpha);

} // namespace relax
