#include "studies/compare_observables.hpp"

#include "core/error.hpp"
#include "core/mpi.hpp"
#include "core/text.hpp"
#include "models/expression_landscape.hpp"

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/normal.hpp>

#include <petscdmda.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numeric>

namespace relax {

namespace {

std::size_t natural_index(const std::array<int, 3>& index, const std::array<int, 3>& shape) {
  return static_cast<std::size_t>(index[0]) +
         static_cast<std::size_t>(shape[0]) *
             (static_cast<std::size_t>(index[1]) +
              static_cast<std::size_t>(shape[1]) * static_cast<std::size_t>(index[2]));
}

/// The minimum cell each cell's steepest descent on the grid ends in (natural indices): from a
/// cell to its lowest axis neighbour while that is strictly lower (across a periodic wrap, never
/// through a wall). Computed from f at every cell, the same on every rank.
std::vector<std::size_t> descent_targets(const Grid& grid, const Landscape& f) {
  const std::array<int, 3> shape = grid.shape();
  const std::size_t count = grid.cell_count();
  std::vector<double> value(count);
  std::array<int, 3> index{};
  std::array<double, 3> x{};
  for (index[2] = 0; index[2] < shape[2]; ++index[2]) {
    for (index[1] = 0; index[1] < shape[1]; ++index[1]) {
      for (index[0] = 0; index[0] < shape[0]; ++index[0]) {
        grid.centre(index, x.data());
        value[natural_index(index, shape)] = f.value(x.data());
      }
    }
  }
  std::vector<std::size_t> next(count);
  for (index[2] = 0; index[2] < shape[2]; ++index[2]) {
    for (index[1] = 0; index[1] < shape[1]; ++index[1]) {
      for (index[0] = 0; index[0] < shape[0]; ++index[0]) {
        const std::size_t here = natural_index(index, shape);
        std::size_t lowest = here;
        for (int a = 0; a < grid.dim(); ++a) {
          const auto axis = static_cast<std::size_t>(a);
          for (int step : {-1, 1}) {
            std::array<int, 3> neighbour = index;
            neighbour[axis] += step;
            if (neighbour[axis] < 0 || neighbour[axis] >= shape[axis]) {
              if (grid.axis(a).boundary != Boundary::periodic) {
                continue;
              }
              neighbour[axis] = (neighbour[axis] + shape[axis]) % shape[axis];
            }
            const std::size_t there = natural_index(neighbour, shape);
            if (value[there] < value[lowest]) {
              lowest = there;
            }
          }
        }
        next[here] = lowest;
      }
    }
  }
  // Follow the pointers to their fixed points, compressing the paths.
  for (std::size_t cell = 0; cell < count; ++cell) {
    std::size_t end = cell;
    while (next[end] != end) {
      end = next[end];
    }
    for (std::size_t c = cell; next[c] != end && c != end;) {
      const std::size_t following = next[c];
      next[c] = end;
      c = following;
    }
    next[cell] = end;
  }
  return next;
}

std::string describe_point(const Grid& grid, std::size_t natural) {
  const std::array<int, 3> shape = grid.shape();
  std::array<int, 3> index{};
  index[0] = static_cast<int>(natural % static_cast<std::size_t>(shape[0]));
  index[1] = static_cast<int>(natural / static_cast<std::size_t>(shape[0]) %
                              static_cast<std::size_t>(shape[1]));
  index[2] = static_cast<int>(
      natural / (static_cast<std::size_t>(shape[0]) * static_cast<std::size_t>(shape[1])));
  std::array<double, 3> x{};
  grid.centre(index, x.data());
  std::string text;
  for (int a = 0; a < grid.dim(); ++a) {
    text += (a > 0 ? ", " : "") + format_real(x[static_cast<std::size_t>(a)]);
  }
  return grid.dim() == 1 ? text : "(" + text + ")";
}

double normal_pvalue(double z) {
  return std::erfc(std::abs(z) / std::sqrt(2.0));
}

/// Two-sided exact binomial p-value of k successes in n trials at probability p.
double binomial_pvalue(std::int64_t k, std::int64_t n, double p) {
  if (n == 0) {
    return 1;
  }
  p = std::clamp(p, 0.0, 1.0);
  if (p == 0 || p == 1) {
    const bool is_expected = p == 0 ? k == 0 : k == n;
    return is_expected ? 1.0 : 0.0;
  }
  const boost::math::binomial_distribution<double> law(static_cast<double>(n), p);
  const auto kk = static_cast<double>(k);
  const double below = boost::math::cdf(law, kk);
  const double above = k == 0 ? 1.0 : boost::math::cdf(boost::math::complement(law, kk - 1));
  return std::min(1.0, 2 * std::min(below, above));
}

} // namespace

std::vector<Observable> make_observables(const Grid& grid, const Landscape& f,
                                         const std::vector<std::string>& regions) {
  std::vector<Observable> observables;
  const std::array<int, 3> shape = grid.shape();

  const std::vector<std::size_t> target = descent_targets(grid, f);
  std::vector<std::size_t> minima;
  for (std::size_t cell = 0; cell < target.size(); ++cell) {
    if (target[cell] == cell) {
      minima.push_back(cell);
    }
  }
  for (std::size_t b = 0; b < minima.size(); ++b) {
    Observable basin{Observable::Kind::mass, "basin_" + std::to_string(b),
                     "mass of the basin of attraction of the grid minimum of f at x = " +
                         describe_point(grid, minima[b]) +
                         " (the cells whose steepest descent from neighbour to lower neighbour "
                         "ends there)",
                     GridField(grid)};
    {
      petsc::VecArray w(basin.weight.vec());
      grid.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
        w[offset] = target[natural_index(index, shape)] == minima[b] ? 1.0 : 0.0;
      });
    }
    observables.push_back(std::move(basin));
  }
  for (std::size_t r = 0; r < regions.size(); ++r) {
    std::unique_ptr<ExpressionLandscape> indicator;
    try {
      indicator = std::make_unique<ExpressionLandscape>(regions[r], "", grid.dim());
    } catch (const InputError& error) {
      throw InputError("compare.regions: region '" + regions[r] + "': " + error.what());
    }
    Observable region{Observable::Kind::mass, "region_" + std::to_string(r),
                      "mass of the cells whose centre satisfies " + regions[r], GridField(grid)};
    region.weight.fill([&](const double* x) { return indicator->value(x) != 0 ? 1.0 : 0.0; });
    observables.push_back(std::move(region));
  }
  for (int a = 0; a < grid.dim(); ++a) {
    const std::string axis = "x" + std::to_string(a);
    Observable mean{Observable::Kind::mean, "mean_" + axis,
                    "sum of cell mass x cell centre " + axis, GridField(grid)};
    mean.weight.fill([&](const double* x) { return x[a]; });
    Observable variance{Observable::Kind::variance, "var_" + axis,
                        "sum of cell mass x (cell centre " + axis + " - mean_" + axis +
                            ")^2, each side with its own mean",
                        GridField(mean.weight)};
    observables.push_back(std::move(mean));
    observables.push_back(std::move(variance));
  }
  Observable energy{Observable::Kind::expectation, "mean_f", "sum of cell mass x f(cell centre)",
                    GridField(grid)};
  energy.weight.fill([&](const double* x) { return f.value(x); });
  observables.push_back(std::move(energy));
  return observables;
}

std::vector<ObservableValue> evaluate_observables(const std::vector<Observable>& observables,
                                                  const GridField& density,
                                                  const Histogram& histogram) {
  const Grid& grid = density.grid();
  const MPI_Comm comm = grid.comm();
  const double volume = grid.cell_volume();
  const std::int64_t total = histogram.total();
  const auto n = static_cast<double>(total);
  // Per observable: sums over cells of p g, p g^2 (PDE masses p = rho+ |cell|), c g (counts c);
  // for a variance, with centred weights after the means are known.
  const auto sums = [&](const GridField& weight, double pde_centre, double particle_centre,
                        int power_pde) {
    std::array<ExactSum, 3> s;
    const petsc::ConstVecArray w(weight.vec());
    const petsc::ConstVecArray rho(density.vec());
    const petsc::ConstVecArray counts(histogram.counts().vec());
    for (std::size_t i = 0; i < w.size(); ++i) {
      const double p = std::max(rho[i], 0.0) * volume;
      const double g = w[i] - pde_centre;
      const double gp = w[i] - particle_centre;
      s[0].add(p * std::pow(g, power_pde));
      s[1].add(p * std::pow(g, 2 * power_pde));
      s[2].add(counts[i] * std::pow(gp, power_pde));
    }
    allreduce(comm, s.data(), s.size());
    return std::array<double, 3>{s[0].value(), s[1].value(), s[2].value() / n};
  };
  std::vector<ObservableValue> values;
  std::vector<double> pde_means(static_cast<std::size_t>(grid.dim()));
  std::vector<double> particle_means(static_cast<std::size_t>(grid.dim()));
  int axis = 0;
  for (const Observable& o : observables) {
    ObservableValue v;
    if (o.kind == Observable::Kind::variance) {
      const auto a = static_cast<std::size_t>(axis++);
      // V = sum p (x - mu)^2; the delta method gives Var(V_hat) = (sum p (x - mu)^4 - V^2) / N.
      const std::array<double, 3> s = sums(o.weight, pde_means[a], particle_means[a], 2);
      v.pde = s[0];
      v.particles = s[2];
      v.standard_error = std::sqrt(std::max(s[1] - s[0] * s[0], 0.0) / n);
    } else {
      const std::array<double, 3> s = sums(o.weight, 0.0, 0.0, 1);
      v.pde = s[0];
      v.particles = s[2];
      v.standard_error = std::sqrt(std::max(s[1] - s[0] * s[0], 0.0) / n);
      if (o.kind == Observable::Kind::mean) {
        pde_means[static_cast<std::size_t>(axis)] = s[0];
        particle_means[static_cast<std::size_t>(axis)] = s[2];
      }
    }
    const double difference = v.particles - v.pde;
    v.z = v.standard_error > 0 ? difference / v.standard_error
                               : (difference == 0 ? 0.0 : std::copysign(INFINITY, difference));
    if (o.kind == Observable::Kind::mass) {
      const auto k = static_cast<std::int64_t>(std::llround(v.particles * n));
      v.pvalue = binomial_pvalue(k, total, v.pde);
    } else {
      v.pvalue = std::isfinite(v.z) ? normal_pvalue(v.z) : 0.0;
    }
    values.push_back(v);
  }
  return values;
}

double critical_z(double level) {
  return boost::math::quantile(
      boost::math::complement(boost::math::normal_distribution<double>(), level / 2));
}

std::vector<std::size_t> holm_rejections(const std::vector<double>& pvalues, double alpha) {
  std::vector<std::size_t> order(pvalues.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return pvalues[a] < pvalues[b]; });
  std::vector<std::size_t> rejected;
  const std::size_t m = pvalues.size();
  for (std::size_t k = 0; k < m; ++k) {
    if (!(pvalues[order[k]] <= alpha / static_cast<double>(m - k))) {
      break;
    }
    rejected.push_back(order[k]);
  }
  return rejected;
}

} // namespace relax
