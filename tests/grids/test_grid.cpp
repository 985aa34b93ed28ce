// Grid construction and validation, cell geometry, point location, the DMDA numbering and
// GridField's value semantics.
#include "grid_fixtures.hpp"

#include "core/error.hpp"
#include "grids/dmda_ordering.hpp"
#include "grids/grid.hpp"

#include <catch2/catch.hpp>
#include <petscao.h>
#include <petscdmda.h>

#include <cmath>
#include <limits>
#include <numeric>

using namespace relax;
using relax::test::asymmetric_box;

namespace {
constexpr double infinity = std::numeric_limits<double>::infinity();
constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
} // namespace

TEST_CASE("Grid rejects bad axes with an InputError naming the axis and value", "[grids]") {
  using Catch::Contains;
  const auto make = [](std::vector<Axis> axes) { return Grid(PETSC_COMM_WORLD, std::move(axes)); };
  const Axis good{-1, 1, 4, Boundary::reflecting};
  CHECK_THROWS_WITH(make({}), Contains("0 axes: expected 1, 2 or 3"));
  CHECK_THROWS_WITH(make({good, good, good, good}), Contains("4 axes: expected 1, 2 or 3"));
  CHECK_THROWS_WITH(make({good, {0, 1, 1, Boundary::periodic}}),
                    Contains("grid axis 1: n = 1: expected n >= 2"));
  CHECK_THROWS_WITH(make({{1, 1, 4, Boundary::reflecting}}),
                    Contains("grid axis 0: lo = 1, hi = 1: expected finite lo < hi"));
  CHECK_THROWS_WITH(make({{2, -3, 4, Boundary::reflecting}}), Contains("lo = 2, hi = -3"));
  CHECK_THROWS_AS(make({{not_a_number, 1, 4, Boundary::reflecting}}), InputError);
  CHECK_THROWS_AS(make({{0, infinity, 4, Boundary::reflecting}}), InputError);
  CHECK_THROWS_AS(make({{-1e308, 1e308, 4, Boundary::reflecting}}),
                  InputError); // hi - lo = infinity
  CHECK_THROWS_WITH(
      make({{0, 1, 65536, Boundary::reflecting}, {0, 1, 65536, Boundary::reflecting}}),
      Contains("cells: expected at most"));
}

TEST_CASE("Cell centres, volume, shape and boundaries of an asymmetric 3D box", "[grids][mpi]") {
  std::vector<Axis> axes = asymmetric_box(3, 1);
  axes[1].boundary = Boundary::periodic;
  axes[2].boundary = Boundary::absorbing;
  const Grid grid(PETSC_COMM_WORLD, axes);
  CHECK(grid.dim() == 3);
  CHECK(grid.shape() == std::array<int, 3>{17, 11, 7});
  CHECK(grid.cell_count() == 17u * 11u * 7u);
  CHECK(grid.cell_volume() == Approx(0.2 * 0.1 * 0.1).epsilon(1e-15));
  double x[3];
  grid.centre({0, 10, 3}, x);
  CHECK(x[0] == Approx(-1.2).epsilon(1e-15));
  CHECK(x[1] == Approx(0.35).epsilon(1e-15));
  CHECK(x[2] == Approx(0.55).epsilon(1e-15));

  // The DMDA agrees: sizes, periodicity, stencil; the owned boxes tile the grid.
  PetscInt m = 0, n = 0, p = 0, dof = 0, width = 0;
  DMBoundaryType bx{}, by{}, bz{};
  DMDAStencilType stencil{};
  REQUIRE(DMDAGetInfo(grid.dm(), nullptr, &m, &n, &p, nullptr, nullptr, nullptr, &dof, &width, &bx,
                      &by, &bz, &stencil) == 0);
  CHECK(std::array<PetscInt, 3>{m, n, p} == std::array<PetscInt, 3>{17, 11, 7});
  CHECK(dof == 1);
  CHECK(width == 1);
  CHECK(stencil == DMDA_STENCIL_STAR);
  CHECK(bx == DM_BOUNDARY_NONE);
  CHECK(by == DM_BOUNDARY_PERIODIC);
  CHECK(bz == DM_BOUNDARY_NONE);
  CHECK(allreduce_value(grid.comm(), [&] {
          ExactSum owned;
          owned.add(static_cast<double>(grid.owned().count()));
          return owned;
        }()) == 17 * 11 * 7);

  // One boundary kind per axis round-trips through its name.
  for (Boundary b : {Boundary::reflecting, Boundary::periodic, Boundary::absorbing}) {
    CHECK(parse_boundary(to_string(b), "key") == b);
  }
  CHECK_THROWS_WITH(parse_boundary("open", "grid.bc"),
                    "grid.bc = 'open': expected reflecting, periodic or absorbing");
}

TEST_CASE("locate: centres, faces go up, hi goes to the last cell, outside and NaN do not",
          "[grids]") {
  const Grid grid(PETSC_COMM_WORLD, asymmetric_box(2, 1));
  std::array<int, 3> index{};
  const auto located = [&](double x, double y) -> std::array<int, 3> {
    const double point[2] = {x, y};
    REQUIRE(grid.locate(point, index));
    return index;
  };
  const auto outside = [&](double x, double y) {
    const double point[2] = {x, y};
    return !grid.locate(point, index);
  };
  const Axis& ax = grid.axis(0);
  const Axis& ay = grid.axis(1);
  for (int i = 0; i < ax.n; ++i) {
    for (int j = 0; j < ay.n; ++j) {
      CHECK(located(ax.centre(i), ay.centre(j)) == std::array<int, 3>{i, j, 0});
    }
  }
  const double below = -infinity;
  for (int i = 1; i < ax.n; ++i) {
    CAPTURE(i, ax.face(i));
    CHECK(located(ax.face(i), ay.centre(2))[0] == i);
    CHECK(located(std::nextafter(ax.face(i), below), ay.centre(2))[0] == i - 1);
  }
  for (int j = 1; j < ay.n; ++j) {
    CAPTURE(j, ay.face(j));
    CHECK(located(ax.centre(3), ay.face(j))[1] == j);
    CHECK(located(ax.centre(3), std::nextafter(ay.face(j), below))[1] == j - 1);
  }
  CHECK(located(ax.face(5), ay.face(7)) == std::array<int, 3>{5, 7, 0}); // a vertex
  CHECK(located(ax.lo, ay.lo) == std::array<int, 3>{0, 0, 0});
  CHECK(located(ax.hi, ay.hi) == std::array<int, 3>{ax.n - 1, ay.n - 1, 0});
  CHECK(located(ax.hi, ay.centre(4)) == std::array<int, 3>{ax.n - 1, 4, 0});
  CHECK(outside(std::nextafter(ax.hi, infinity), 0));
  CHECK(outside(std::nextafter(ax.lo, -infinity), 0));
  CHECK(outside(0, std::nextafter(ay.hi, infinity)));
  CHECK(outside(0, std::nextafter(ay.lo, -infinity)));
  CHECK(outside(not_a_number, 0));
  CHECK(outside(0, not_a_number));
  CHECK(outside(infinity, 0));
  CHECK(outside(-1e300, 0));
}

TEST_CASE("DmdaOrdering matches an enumeration of DMDA blocks, rank by rank", "[grids]") {
  // A 3 x 2 x 2 process grid with uneven blocks: 3+1+2 cells in x, 2+3 in y, 1+2 in z.
  const std::array<std::vector<int>, 3> sizes{{{3, 1, 2}, {2, 3}, {1, 2}}};
  const DmdaOrdering ordering(sizes);
  std::int64_t next = 0; // PETSc numbers rank 0's cells first, x fastest within each block
  std::array<int, 3> start{0, 0, 0};
  long mismatches = 0;
  for (std::size_t pk = 0; pk < sizes[2].size(); ++pk) {
    start[1] = 0;
    for (std::size_t pj = 0; pj < sizes[1].size(); ++pj) {
      start[0] = 0;
      for (std::size_t pi = 0; pi < sizes[0].size(); ++pi) { // ranks: x fastest
        for (int k = start[2]; k < start[2] + sizes[2][pk]; ++k) {
          for (int j = start[1]; j < start[1] + sizes[1][pj]; ++j) {
            for (int i = start[0]; i < start[0] + sizes[0][pi]; ++i) {
              mismatches += ordering.petsc_index({i, j, k}) != next++;
            }
          }
        }
        start[0] += sizes[0][pi];
      }
      start[1] += sizes[1][pj];
    }
    start[2] += sizes[2][pk];
  }
  CHECK(next == 6 * 5 * 3);
  CHECK(mismatches == 0);
}

TEST_CASE("petsc_ordering of a distributed grid agrees with the DMDA's own AO", "[grids][mpi]") {
  for (int dim = 1; dim <= 3; ++dim) {
    const Grid grid(PETSC_COMM_WORLD, asymmetric_box(dim, 1));
    const DmdaOrdering ordering = petsc_ordering(grid);
    const auto count = static_cast<PetscInt>(grid.cell_count());
    std::vector<PetscInt> indices(static_cast<std::size_t>(count));
    std::iota(indices.begin(), indices.end(), 0); // natural (application) numbering
    AO ao = nullptr;
    REQUIRE(DMDAGetAO(grid.dm(), &ao) == 0); // owned by the DM
    REQUIRE(AOApplicationToPetsc(ao, count, indices.data()) == 0);
    const auto shape = grid.shape();
    long mismatches = 0;
    for (PetscInt natural = 0; natural < count; ++natural) {
      const std::array<int, 3> cell{static_cast<int>(natural % shape[0]),
                                    static_cast<int>(natural / shape[0] % shape[1]),
                                    static_cast<int>(natural / (shape[0] * shape[1]))};
      mismatches += ordering.petsc_index(cell) != indices[static_cast<std::size_t>(natural)];
    }
    CAPTURE(dim);
    CHECK(mismatches == 0);
  }
}

TEST_CASE("GridField starts at zero, copies deeply and assigns only within a layout",
          "[grids][mpi]") {
  const Grid grid(PETSC_COMM_WORLD, asymmetric_box(2, 1));
  GridField a(grid);
  CHECK(integral(a) == 0);
  CHECK(linf_distance(a, GridField(grid)) == 0);
  a.fill([](const double* x) { return 1 + x[0] * x[1]; });
  GridField b(a);
  CHECK(linf_distance(a, b) == 0);
  b.fill([](const double*) { return 0.0; });
  CHECK(integral(a) != 0); // the copy did not share storage
  b = a;
  CHECK(linf_distance(a, b) == 0);
  GridField moved(std::move(b));
  b = a; // a moved-from field can be assigned again
  CHECK(linf_distance(moved, b) == 0);

  const Grid other(PETSC_COMM_WORLD, asymmetric_box(2, 2));
  GridField c(other);
  CHECK_THROWS_WITH(c = a, Catch::Contains("different grids"));
  const Grid same_layout_grid(PETSC_COMM_WORLD, asymmetric_box(2, 1));
  GridField d(same_layout_grid);
  d = a;
  CHECK(integral(d) == integral(a));
  CHECK(same_layout(grid, same_layout_grid));
  CHECK_FALSE(same_layout(grid, other));
}
