// Histograms: exact counts of a known point set however the points are dealt over ranks, the
// chi-square test on hand-computable cases and against scipy, and the sampling statistics
// (expected L1 noise, uniform p-values) on multinomial draws.
#include "grid_fixtures.hpp"

#include "grids/histogram.hpp"

#include <catch2/catch.hpp>
#include <petscvec.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <vector>

using namespace relax;
using relax::test::asymmetric_box;

namespace {

using Point = std::array<double, 3>;

/// Points and the cell each must land in, found by construction (not through locate).
struct PointSet {
  std::vector<Point> points;
  std::vector<long> cells; ///< natural index of each point's cell; -1 outside the box

  /// Counts per natural cell index of the points p with selected(p), and how many are outside.
  std::pair<std::vector<double>, std::int64_t>
  expected(std::size_t cell_count, const std::function<bool(std::size_t)>& selected) const {
    std::vector<double> counts(cell_count, 0.0);
    std::int64_t outside = 0;
    for (std::size_t p = 0; p < points.size(); ++p) {
      if (!selected(p)) {
        continue;
      }
      if (cells[p] < 0) {
        ++outside;
      } else {
        counts[static_cast<std::size_t>(cells[p])] += 1;
      }
    }
    return {counts, outside};
  }
};

std::array<int, 3> cell_of_natural(const Grid& grid, std::size_t natural) {
  const auto shape = grid.shape();
  const auto nx = static_cast<std::size_t>(shape[0]);
  const auto ny = static_cast<std::size_t>(shape[1]);
  return {static_cast<int>(natural % nx), static_cast<int>(natural / nx % ny),
          static_cast<int>(natural / (nx * ny))};
}

/// Cell centres, random interior points, points on every interior face and just below it, the
/// corners lo and hi, and points outside (beyond lo or hi by one ulp, infinite, NaN).
PointSet known_points(const Grid& grid) {
  PointSet set;
  const auto inside = [&](const Point& x, const std::array<int, 3>& cell) {
    set.points.push_back(x);
    set.cells.push_back(static_cast<long>(test::natural_index(grid, cell)));
  };
  const auto centre = [&](const std::array<int, 3>& cell) {
    Point x{};
    grid.centre(cell, x.data());
    return x;
  };
  const int dim = grid.dim();
  for (std::size_t c = 0; c < grid.cell_count(); ++c) {
    inside(centre(cell_of_natural(grid, c)), cell_of_natural(grid, c));
  }
  std::mt19937_64 engine(7);
  std::uniform_real_distribution<double> offset(-0.45, 0.45);
  for (int k = 0; k < 500; ++k) {
    const auto cell = cell_of_natural(grid, engine() % grid.cell_count());
    Point x = centre(cell);
    for (int a = 0; a < dim; ++a) {
      x[static_cast<std::size_t>(a)] += offset(engine) * grid.axis(a).h();
    }
    inside(x, cell);
  }
  for (int a = 0; a < dim; ++a) {
    const Axis& axis = grid.axis(a);
    for (int f = 1; f < axis.n; ++f) {
      std::array<int, 3> cell{};
      for (int b = 0; b < dim; ++b) {
        cell[static_cast<std::size_t>(b)] = (3 * f + b) % grid.axis(b).n;
      }
      cell[static_cast<std::size_t>(a)] = f;
      Point x = centre(cell);
      x[static_cast<std::size_t>(a)] = axis.face(f); // a face belongs to the upper cell
      inside(x, cell);
      x[static_cast<std::size_t>(a)] = std::nextafter(axis.face(f), -HUGE_VAL);
      cell[static_cast<std::size_t>(a)] = f - 1;
      inside(x, cell);
    }
  }
  Point lo{};
  Point hi{};
  std::array<int, 3> last{};
  for (int a = 0; a < dim; ++a) {
    lo[static_cast<std::size_t>(a)] = grid.axis(a).lo;
    hi[static_cast<std::size_t>(a)] = grid.axis(a).hi; // hi itself belongs to the last cell
    last[static_cast<std::size_t>(a)] = grid.axis(a).n - 1;
  }
  inside(lo, {0, 0, 0});
  inside(hi, last);
  for (int a = 0; a < dim; ++a) {
    const Axis& axis = grid.axis(a);
    for (double v : {std::nextafter(axis.hi, HUGE_VAL), std::nextafter(axis.lo, -HUGE_VAL), 1e300,
                     -HUGE_VAL, std::numeric_limits<double>::quiet_NaN()}) {
      Point x = centre({0, 0, 0});
      x[static_cast<std::size_t>(a)] = v;
      set.points.push_back(x);
      set.cells.push_back(-1);
    }
  }
  return set;
}

/// Adds the points p with owner(p) == this rank, in two add() calls over one structure-of-arrays
/// buffer whose stride exceeds the point count (the padding is NaN, so a wrong stride shows).
void add_share(Histogram& histogram, int dim, const std::vector<Point>& points,
               const std::function<bool(std::size_t)>& is_mine) {
  std::vector<Point> share;
  for (std::size_t p = 0; p < points.size(); ++p) {
    if (is_mine(p)) {
      share.push_back(points[p]);
    }
  }
  const std::size_t stride = share.size() + 5;
  std::vector<double> soa(stride * static_cast<std::size_t>(dim),
                          std::numeric_limits<double>::quiet_NaN());
  for (std::size_t p = 0; p < share.size(); ++p) {
    for (std::size_t d = 0; d < static_cast<std::size_t>(dim); ++d) {
      soa[d * stride + p] = share[p][d];
    }
  }
  const std::size_t half = share.size() / 2;
  histogram.add(half, stride, soa.data());
  histogram.add(share.size() - half, stride, soa.data() + half);
}

/// Fills `rho` with f and scales it to integral 1.
void normalized(GridField& rho, const std::function<double(const double*)>& f) {
  rho.fill(f);
  REQUIRE(VecScale(rho.vec(), 1 / integral(rho)) == 0);
}

} // namespace

TEST_CASE("A histogram of a known point set has exactly the expected counts, however the points "
          "are dealt over ranks",
          "[grids][mpi]") {
  const int rank = comm_rank(PETSC_COMM_WORLD);
  const int size = comm_size(PETSC_COMM_WORLD);
  for (int dim = 1; dim <= 3; ++dim) {
    const Grid grid(PETSC_COMM_WORLD, asymmetric_box(dim, 1, Boundary::periodic));
    const PointSet set = known_points(grid);
    const std::size_t count = set.points.size();
    const auto [expected, outside] =
        set.expected(grid.cell_count(), [](std::size_t) { return true; });
    const std::vector<std::pair<const char*, std::function<bool(std::size_t)>>> dealings{
        {"round robin", [&](std::size_t p) { return static_cast<int>(p % size) == rank; }},
        {"all on the last rank", [&](std::size_t) { return rank == size - 1; }},
        {"reversed blocks",
         [&](std::size_t p) { return size - 1 - static_cast<int>(p * size / count) == rank; }}};
    for (const auto& [name, is_mine] : dealings) {
      Histogram histogram(grid);
      add_share(histogram, dim, set.points, is_mine);
      histogram.reduce();
      CAPTURE(dim, name, count);
      CHECK(test::count_mismatches(histogram.counts(), expected) == 0);
      CHECK(histogram.total() == static_cast<std::int64_t>(count));
      CHECK(histogram.outside() == outside);
    }
  }
}

TEST_CASE("reduce() accumulates, clears the local counts, and density() is normalized by the "
          "total",
          "[grids][mpi]") {
  const int rank = comm_rank(PETSC_COMM_WORLD);
  const Grid grid(PETSC_COMM_WORLD, asymmetric_box(2, 1));
  const PointSet set = known_points(grid);
  const auto all = [](std::size_t) { return true; };
  const auto evens = [](std::size_t p) { return p % 2 == 0; };
  Histogram histogram(grid);
  add_share(histogram, 2, set.points, [&](std::size_t) { return rank == 0; });
  histogram.reduce();
  histogram.reduce();                           // nothing new: the counts stay
  const int size = comm_size(PETSC_COMM_WORLD); // the second batch comes from every rank
  add_share(histogram, 2, set.points,
            [&](std::size_t p) { return evens(p) && static_cast<int>(p / 2 % size) == rank; });
  histogram.reduce();
  auto [expected, outside] = set.expected(grid.cell_count(), all);
  const auto [expected_evens, outside_evens] = set.expected(grid.cell_count(), evens);
  for (std::size_t c = 0; c < expected.size(); ++c) {
    expected[c] += expected_evens[c];
  }
  CHECK(test::count_mismatches(histogram.counts(), expected) == 0);
  const auto n = static_cast<std::int64_t>(set.points.size());
  CHECK(histogram.total() == n + (n + 1) / 2);
  CHECK(histogram.outside() == outside + outside_evens);

  // density = counts / (total * volume): integrates to the inside fraction.
  const GridField density = histogram.density();
  const double inside =
      1 - static_cast<double>(histogram.outside()) / static_cast<double>(histogram.total());
  CHECK(integral(density) == Approx(inside).epsilon(1e-14));
  for (double& e : expected) {
    e /= static_cast<double>(histogram.total()) * grid.cell_volume();
  }
  GridField scaled(grid);
  test::assign_natural(scaled, expected);
  CHECK(linf_distance(density, scaled) <= 1e-15 * linf_distance(density, GridField(grid)));
  CHECK(integral(Histogram(grid).density()) == 0); // empty: zero, not 0/0
}

TEST_CASE("Chi-square of hand-computable cases, p-values against scipy", "[grids][mpi]") {
  const int rank = comm_rank(PETSC_COMM_WORLD);
  // Points at cell centres on a 1D grid of [0, 1]; every rank adds a share.
  const auto histogram_of = [&](const Grid& grid, const std::vector<int>& counts, int outside) {
    std::vector<Point> points;
    for (int c = 0; c < static_cast<int>(counts.size()); ++c) {
      points.insert(points.end(), static_cast<std::size_t>(counts[static_cast<std::size_t>(c)]),
                    Point{grid.axis(0).centre(c), 0, 0});
    }
    points.insert(points.end(), static_cast<std::size_t>(outside), Point{1.5, 0, 0});
    Histogram histogram(grid);
    const int size = comm_size(PETSC_COMM_WORLD);
    add_share(histogram, 1, points,
              [&](std::size_t p) { return static_cast<int>(p % size) == rank; });
    histogram.reduce();
    return histogram;
  };
  const Grid six(PETSC_COMM_WORLD, {{0, 1, 6, Boundary::reflecting}});
  GridField uniform(six);
  uniform.fill([](const double*) { return 1.0; });

  SECTION("pooled tails and the outside bin form one bin") {
    // N = 40, density (0.3, 1, 2.4, 0.3) on 4 cells: expected (3, 10, 24, 3), outside 0.
    // Bins: cell 1 (8 vs 10), cell 2 (23 vs 24), pool of cells 0, 3 and outside (9 vs 6):
    // chi2 = 4/10 + 1/24 + 9/6, 2 degrees of freedom, p = exp(-chi2/2).
    const Grid grid(PETSC_COMM_WORLD, {{0, 1, 4, Boundary::reflecting}});
    GridField rho(grid);
    test::assign_natural(rho, {0.3, 1.0, 2.4, 0.3});
    const ChiSquareResult r = chi_square(histogram_of(grid, {4, 8, 23, 3}, 2), rho);
    CHECK(r.statistic == Approx(0.4 + 1.0 / 24 + 1.5).epsilon(1e-14));
    CHECK(r.degrees_of_freedom == 2);
    CHECK(r.pooled_cells == 2);
    CHECK(r.pvalue == Approx(std::exp(-r.statistic / 2)).epsilon(1e-14));
    // python3 -c "from scipy.stats import chi2; print(repr(chi2.sf(0.4+1/24+1.5, 2)))"
    CHECK(r.pvalue == Approx(0.3787672671611457).epsilon(1e-13));
  }
  SECTION("no pooling; the round-off outside bin merges without adding a degree of freedom") {
    // N = 60 uniform on 6 cells: expected 10 each; chi2 = (4+9+0+1+16+4)/10 = 3.4, 5 dof.
    const ChiSquareResult r = chi_square(histogram_of(six, {12, 7, 10, 9, 14, 8}, 0), uniform);
    CHECK(r.statistic == Approx(3.4).epsilon(1e-13));
    CHECK(r.degrees_of_freedom == 5);
    CHECK(r.pooled_cells == 0);
    // python3 -c "from scipy.stats import chi2; print(repr(chi2.sf(3.4, 5)))"
    CHECK(r.pvalue == Approx(0.6385699231037951).epsilon(1e-12));
  }
  SECTION("a point outside joins the smallest kept bin (the first cell on a tie)") {
    // N = 61: expected 61/6 per cell, ~0 outside; the outside point merges into cell 0 (13).
    const ChiSquareResult r = chi_square(histogram_of(six, {12, 7, 10, 9, 14, 8}, 1), uniform);
    const double e = 61.0 / 6;
    double expected = 0;
    for (double o : {13, 7, 10, 9, 14, 8}) {
      expected += (o - e) * (o - e) / e;
    }
    CHECK(r.statistic == Approx(expected).epsilon(1e-13));
    CHECK(r.degrees_of_freedom == 5);
    // python3 -c "from scipy.stats import chi2; e=61/6; s=sum((o-e)**2/e for o in
    //   (13,7,10,9,14,8)); print(repr(s), repr(chi2.sf(s, 5)))"
    CHECK(r.statistic == Approx(3.819672131147541).epsilon(1e-13));
    CHECK(r.pvalue == Approx(0.5756599244344223).epsilon(1e-12));
  }
  SECTION("counts where the density is zero are impossible: p = 0") {
    // Density 1.2 on five cells, 0 on the last: 10 points there cannot happen.
    GridField rho(six);
    test::assign_natural(rho, {1.2, 1.2, 1.2, 1.2, 1.2, 0});
    const ChiSquareResult r = chi_square(histogram_of(six, {10, 10, 10, 10, 10, 10}, 0), rho);
    CHECK(r.statistic == std::numeric_limits<double>::infinity());
    CHECK(r.pvalue == 0);
    CHECK(r.degrees_of_freedom == 4);
    const ChiSquareResult fine = chi_square(histogram_of(six, {12, 12, 12, 12, 12, 0}, 0), rho);
    CHECK(fine.statistic == Approx(0).margin(1e-12));
    CHECK(fine.pvalue == Approx(1).epsilon(1e-12));
  }
}

TEST_CASE("Histogram statistics are bit-identical to a single-rank grid's", "[grids][mpi]") {
  const int rank = comm_rank(PETSC_COMM_WORLD);
  const int size = comm_size(PETSC_COMM_WORLD);
  std::mt19937_64 engine(11);
  std::normal_distribution<double> normal;
  std::vector<Point> points(3000);
  for (auto& p : points) {
    p = {0.4 + 0.6 * normal(engine), -0.1 + 0.25 * normal(engine), 0};
  }
  const auto statistics = [&](const Grid& grid, bool deal) {
    GridField rho(grid);
    normalized(rho, [](const double* x) {
      return std::exp(-(x[0] - 0.4) * (x[0] - 0.4) / 0.72 - (x[1] + 0.1) * (x[1] + 0.1) / 0.125);
    });
    Histogram histogram(grid);
    add_share(histogram, 2, points,
              [&](std::size_t p) { return !deal || static_cast<int>(p % size) == rank; });
    histogram.reduce();
    const ChiSquareResult r = chi_square(histogram, rho);
    return std::vector<double>{r.statistic,
                               r.pvalue,
                               static_cast<double>(r.degrees_of_freedom),
                               static_cast<double>(r.pooled_cells),
                               expected_l1_noise(rho, histogram.total()),
                               l1_distance(histogram.density(), rho),
                               static_cast<double>(histogram.outside())};
  };
  const auto axes = asymmetric_box(2, 1);
  const Grid distributed(PETSC_COMM_WORLD, axes);
  const Grid single(PETSC_COMM_SELF, axes);
  const auto measured = statistics(distributed, true);
  const auto expected = statistics(single, false);
  CAPTURE(measured, expected);
  CHECK(measured == expected);
}

TEST_CASE("Multinomial histograms: mean L1 distance within noise, uniform p-values, and a wrong "
          "density is rejected",
          "[grids][statistics]") {
  // The default problem's density: Gibbs of the double well (x^2 - 1)^2 at beta = 1 on
  // [-2.5, 2.5], 40 cells. Samples: a cell with probability p_c = rho_c h, then a uniform point
  // inside it, so the counts are exactly Multinomial(N, p).
  const Grid grid(PETSC_COMM_SELF, {{-2.5, 2.5, 40, Boundary::reflecting}});
  const auto gibbs = [](double shift) {
    return [shift](const double* x) {
      const double y = x[0] - shift;
      return std::exp(-(y * y - 1) * (y * y - 1));
    };
  };
  const auto cell_probabilities = [&](const GridField& density) {
    const petsc::ConstVecArray values(density.vec());
    std::vector<double> p;
    for (double v : values) {
      p.push_back(v * grid.cell_volume());
    }
    return p;
  };
  GridField rho(grid);
  normalized(rho, gibbs(0));
  const std::vector<double> probability = cell_probabilities(rho);
  std::mt19937_64 engine(2024);
  const auto draw = [&](const std::vector<double>& p, std::size_t n) {
    std::discrete_distribution<int> cell(p.begin(), p.end());
    std::uniform_real_distribution<double> offset(-0.45, 0.45);
    std::vector<double> x(n);
    for (double& v : x) {
      v = grid.axis(0).centre(cell(engine)) + offset(engine) * grid.axis(0).h();
    }
    Histogram histogram(grid);
    histogram.add(n, n, x.data());
    histogram.reduce();
    return histogram;
  };
  const auto mean_and_error = [](const std::vector<double>& v) {
    double mean = 0;
    for (double x : v) {
      mean += x / static_cast<double>(v.size());
    }
    double var = 0;
    for (double x : v) {
      var += (x - mean) * (x - mean) / static_cast<double>(v.size() - 1);
    }
    return std::array<double, 2>{mean, std::sqrt(var / static_cast<double>(v.size()))};
  };

  SECTION("mean L1 distance of N = 5000 samples, 800 draws") {
    // The standard error is 0.5% of the mean, so a 5% error in the noise formula shows at ~10
    // standard errors. Bias of the normal approximation here: 0.1 standard errors (exact binomial
    // mean absolute deviations summed once with scipy.stats.binom).
    const std::size_t n = 5000;
    std::vector<double> l1;
    for (int r = 0; r < 800; ++r) {
      l1.push_back(l1_distance(draw(probability, n).density(), rho));
    }
    const auto [mean, error] = mean_and_error(l1);
    const double noise = expected_l1_noise(rho, static_cast<std::int64_t>(n));
    CAPTURE(mean, error, noise);
    CHECK(std::fabs(mean - noise) < 4 * error);
  }
  SECTION("p-values of N = 1000 samples, 1000 draws, are uniform") {
    // At N = 1000, 14 tail cells expect < 5 and their pool (4.9) merges into a kept bin.
    const int draws = 1000;
    int below_10 = 0;
    int below_50 = 0;
    int pooled = 0;
    for (int r = 0; r < draws; ++r) {
      const ChiSquareResult result = chi_square(draw(probability, 1000), rho);
      below_10 += result.pvalue < 0.1;
      below_50 += result.pvalue < 0.5;
      pooled = result.pooled_cells;
    }
    const double f10 = below_10 / static_cast<double>(draws);
    const double f50 = below_50 / static_cast<double>(draws);
    CAPTURE(f10, f50, pooled);
    CHECK(pooled == 14);
    CHECK(std::fabs(f10 - 0.1) < 4 * std::sqrt(0.1 * 0.9 / draws));
    CHECK(std::fabs(f50 - 0.5) < 4 * std::sqrt(0.5 * 0.5 / draws));
  }
  SECTION("samples of the well shifted by 0.3 are rejected") {
    GridField shifted(grid);
    normalized(shifted, gibbs(0.3));
    const Histogram histogram = draw(cell_probabilities(shifted), 1000);
    const ChiSquareResult result = chi_square(histogram, rho);
    const double l1 = l1_distance(histogram.density(), rho);
    const double noise = expected_l1_noise(rho, 1000);
    CAPTURE(result.statistic, result.pvalue, l1, noise);
    CHECK(result.pvalue < 1e-6);
    CHECK(l1 > 3 * noise);
  }
}
