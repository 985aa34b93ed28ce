// The [grid] keys: defaults, per-axis lists, and one InputError per kind of bad value, naming
// the key, the value and what was expected.
#include "core/error.hpp"
#include "grids/grid_options.hpp"

#include <catch2/catch.hpp>
#include <petscsys.h>

#include <map>
#include <string>

using namespace relax;

namespace {

Grid grid_from(const std::map<std::string, std::string>& values, int dim) {
  OptionSet options;
  declare_grid_options(options);
  return make_grid(PETSC_COMM_WORLD, Config::from_values(options, values), dim);
}

} // namespace

TEST_CASE("Default [grid] is the default problem's: 200 reflecting cells on [-2.5, 2.5]",
          "[grids]") {
  const Grid grid = grid_from({}, 1);
  REQUIRE(grid.dim() == 1);
  CHECK(grid.axis(0).lo == -2.5);
  CHECK(grid.axis(0).hi == 2.5);
  CHECK(grid.axis(0).n == 200);
  CHECK(grid.axis(0).boundary == Boundary::reflecting);

  OptionSet options;
  declare_grid_options(options);
  for (const char* key : {"grid.lo", "grid.hi", "grid.n", "grid.bc"}) {
    CAPTURE(key);
    REQUIRE(options.find(key) != nullptr);
    CHECK_FALSE(options.find(key)->help.empty());
  }
}

TEST_CASE("One value serves every axis; lists give one per axis", "[grids]") {
  const Grid same = grid_from({{"grid.n", "8"}, {"grid.bc", "periodic"}}, 3);
  for (int a = 0; a < 3; ++a) {
    CHECK(same.axis(a).n == 8);
    CHECK(same.axis(a).lo == -2.5);
    CHECK(same.axis(a).boundary == Boundary::periodic);
  }
  const Grid each = grid_from({{"grid.lo", "-1, 0, -3e-1"},
                               {"grid.hi", "1"},
                               {"grid.n", "4,5,6"},
                               {"grid.bc", "periodic, reflecting,absorbing"}},
                              3);
  CHECK(each.shape() == std::array<int, 3>{4, 5, 6});
  CHECK(each.axis(1).lo == 0);
  CHECK(each.axis(2).lo == -0.3);
  CHECK(each.axis(2).hi == 1);
  CHECK(each.axis(0).boundary == Boundary::periodic);
  CHECK(each.axis(1).boundary == Boundary::reflecting);
  CHECK(each.axis(2).boundary == Boundary::absorbing);
}

TEST_CASE("Bad [grid] values give an InputError naming key, value and expectation", "[grids]") {
  const auto message = [](const std::map<std::string, std::string>& values, int dim) {
    try {
      grid_from(values, dim);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no InputError");
  };
  CHECK(message({{"grid.n", "1"}}, 1) == "grid.n = '1': expected integers >= 2");
  CHECK(message({{"grid.n", "4,-3"}}, 2) == "grid.n = '4,-3': expected integers >= 2");
  CHECK(message({{"grid.n", "3000000000"}}, 1) ==
        "grid.n = '3000000000': expected integers >= 2 and <= 2147483647");
  CHECK(message({{"grid.lo", "1"}, {"grid.hi", "0"}}, 1) ==
        "grid.lo = '1', grid.hi = '0': expected lo < hi on every axis");
  CHECK(message({{"grid.lo", "0,2"}, {"grid.hi", "1"}}, 2) ==
        "grid.lo = '0,2', grid.hi = '1': expected lo < hi on every axis");
  CHECK(message({{"grid.lo", "-1e308"}, {"grid.hi", "1e308"}}, 1) ==
        "grid.lo = '-1e308', grid.hi = '1e308': expected a finite hi - lo on every axis");
  CHECK(message({{"grid.bc", "open"}}, 1) ==
        "grid.bc = 'open': expected reflecting, periodic or absorbing");
  CHECK(message({{"grid.bc", "periodic,open"}}, 2) ==
        "grid.bc = 'open': expected reflecting, periodic or absorbing");
  CHECK(message({{"grid.bc", ""}}, 1) ==
        "grid.bc = '': expected reflecting, periodic or absorbing");
  CHECK(message({{"grid.n", "4,5"}}, 3) == "grid.n = '4,5': expected 1 or 3 values");
  CHECK(message({{"grid.lo", "0,0,0"}}, 2) == "grid.lo = '0,0,0': expected 1 or 2 values");
  CHECK(message({{"grid.bc", "periodic,periodic"}}, 1) ==
        "grid.bc = 'periodic,periodic': expected 1 value");
  CHECK(message({}, 4) == "grid: dimension 4: expected 1, 2 or 3");
  // Values of the wrong kind are refused when the configuration is resolved.
  CHECK_THROWS_WITH(grid_from({{"grid.n", "many"}}, 1),
                    Catch::Contains("grid.n = 'many'") &&
                        Catch::Contains("expected a comma-separated list of integers"));
  CHECK_THROWS_WITH(grid_from({{"grid.hi", "nan"}}, 1), Catch::Contains("grid.hi = 'nan'"));
}
