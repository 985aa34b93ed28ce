// The shared input checks (core/validate.hpp, Config's checked getters) and text helpers
// (core/text.hpp): accepted values come back unchanged, rejected ones give the house-format
// message "key = 'value': expected ...".
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "core/validate.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

using namespace relax;

namespace {

/// The message of the InputError that `f` throws, or "no InputError".
template <typename F> std::string message_of(F f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no InputError";
}

Config example(const std::map<std::string, std::string>& values) {
  OptionSet options;
  options.real("fp.dt", 0.01, "time", "time step")
      .real("time.end", 5, "time", "final time")
      .integer("sde.particles", 10, "", "particles")
      .integer("sde.seed", 1, "", "seed")
      .reals("grid.lo", "-2.5", "", "lower bounds")
      .integers("grid.n", "200", "", "cells")
      .text("grid.bc", "reflecting", "boundaries");
  return Config::from_values(options, values);
}

} // namespace

TEST_CASE("Scalar checks return accepted values and name key, value and expectation otherwise",
          "[core]") {
  CHECK(require_positive("fp.dt", 0.25) == 0.25);
  CHECK(require_positive("fp.dt", 1e-300) == 1e-300);
  CHECK(message_of([] { require_positive("fp.dt", 0); }) ==
        "fp.dt = '0': expected a finite number > 0");
  CHECK(message_of([] { require_positive("hj.nu", -0.5, "a viscosity"); }) ==
        "hj.nu = '-0.5': expected a viscosity > 0");
  CHECK(message_of([] { require_positive("x", HUGE_VAL); }) ==
        "x = 'inf': expected a finite number > 0");
  CHECK(message_of([] { require_positive("x", std::nan("")); }) != "no InputError");

  CHECK(require_non_negative("time.end", 0) == 0);
  CHECK(message_of([] { require_non_negative("time.end", -1, "a final time"); }) ==
        "time.end = '-1': expected a final time >= 0");
  CHECK(message_of([] { require_non_negative("x", std::nan("")); }) != "no InputError");

  CHECK(require_at_least("fb.steps", 1, 1) == 1);
  CHECK(message_of([] { require_at_least("hj.chains", 1, 2); }) ==
        "hj.chains = '1': expected an integer >= 2");

  CHECK(require_seed("sde.seed", 0) == 0u);
  CHECK(require_seed("sde.seed", 4294967295L) == 4294967295u);
  CHECK(message_of([] { require_seed("sde.seed", 4294967296L); }) ==
        "sde.seed = '4294967296': expected an integer in [0, 2^32)");
  CHECK(message_of([] { require_seed("sde.seed", -1); }) ==
        "sde.seed = '-1': expected an integer in [0, 2^32)");
  CHECK(message_of([] { reject_value("grid.bc", "open", "reflecting, periodic or absorbing"); }) ==
        "grid.bc = 'open': expected reflecting, periodic or absorbing");
}

TEST_CASE("Config's checked getters apply the scalar checks to a key", "[core]") {
  const Config good = example({{"fp.dt", "1e-3"}, {"sde.seed", "7"}});
  CHECK(good.positive_real("fp.dt") == 1e-3);
  CHECK(good.non_negative_real("time.end") == 5);
  CHECK(good.integer_at_least("sde.particles", 1) == 10);
  CHECK(good.seed("sde.seed") == 7u);
  const Config bad = example({{"fp.dt", "0"}, {"time.end", "-2"}, {"sde.particles", "0"}});
  CHECK(message_of([&] { bad.positive_real("fp.dt", "a time step"); }) ==
        "fp.dt = '0': expected a time step > 0");
  CHECK(message_of([&] { bad.non_negative_real("time.end"); }) ==
        "time.end = '-2': expected a finite number >= 0");
  CHECK(message_of([&] { bad.integer_at_least("sde.particles", 1); }) ==
        "sde.particles = '0': expected an integer >= 1");
}

TEST_CASE("Per-axis lists: one value serves every axis, otherwise exactly one per axis", "[core]") {
  const Config one = example({{"grid.lo", "-1"}, {"grid.n", "8"}, {"grid.bc", "periodic"}});
  CHECK(one.reals_per_axis("grid.lo", 3) == std::vector<double>{-1, -1, -1});
  CHECK(one.integers_per_axis("grid.n", 2) == std::vector<long>{8, 8});
  CHECK(one.texts_per_axis("grid.bc", 2) == std::vector<std::string>{"periodic", "periodic"});

  const Config each =
      example({{"grid.lo", "-1, 0"}, {"grid.n", "4,5,6"}, {"grid.bc", "periodic, absorbing"}});
  CHECK(each.reals_per_axis("grid.lo", 2) == std::vector<double>{-1, 0});
  CHECK(each.integers_per_axis("grid.n", 3) == std::vector<long>{4, 5, 6});
  CHECK(each.texts_per_axis("grid.bc", 2) == std::vector<std::string>{"periodic", "absorbing"});

  CHECK(message_of([&] { each.integers_per_axis("grid.n", 2); }) ==
        "grid.n = '4,5,6': expected 1 or 2 values");
  CHECK(message_of([&] { each.reals_per_axis("grid.lo", 1); }) ==
        "grid.lo = '-1, 0': expected 1 value");
  CHECK(message_of([&] { each.reals_per_axis("grid.lo", 3, "one per axis"); }) ==
        "grid.lo = '-1, 0': expected 1 or 3 values (one per axis)");
  // A blank text is one (empty) value, for the caller to reject with its own expectation.
  CHECK(example({{"grid.bc", ""}}).texts_per_axis("grid.bc", 2) ==
        std::vector<std::string>{"", ""});
  CHECK(message_of([] {
          example({{"grid.lo", ""}}).reals_per_axis("grid.lo", 2);
        }) == "grid.lo = '': expected 1 or 2 values");
}

TEST_CASE("Text helpers: trimmed items, a trailing separator leaves an empty item", "[core]") {
  CHECK(trim(" \t a b \r\n") == "a b");
  CHECK(trim(" \t ").empty());
  CHECK(split("", ',').empty());
  CHECK(split("  ", ';').empty());
  CHECK(split(" x ; 2*y ", ';') == std::vector<std::string>{"x", "2*y"});
  CHECK(split("1,2,", ',') == std::vector<std::string>{"1", "2", ""});
  CHECK(split("1,,3", ',') == std::vector<std::string>{"1", "", "3"});
  CHECK(join({"a", "b", "c"}, "|") == "a|b|c");
  CHECK(join({}, "|").empty());
  CHECK(join_reals({0.1, -2, 1e-300}) == "0.1,-2,1e-300");
  for (double value : {0.1, 1.0 / 3.0, 6.02214076e23, -0.0, 5e-324}) {
    CAPTURE(value);
    CHECK(std::strtod(format_real(value).c_str(), nullptr) == value);
  }
  CHECK(format_real(3) == "3");
}
