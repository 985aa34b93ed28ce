#include "core/config.hpp"
#include "core/error.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

using relax::Config;
using relax::InputError;
using relax::OptionSet;

namespace {

OptionSet example_options() {
  OptionSet options;
  options.integers("grid.n", "200", "cells", "cells per axis")
      .reals("grid.lo", "-2.5", "", "lower bound per axis")
      .real("fp.beta", 1.0, "1/energy", "inverse temperature")
      .choice("grid.bc", "reflecting", {"reflecting", "periodic", "absorbing"}, "boundary")
      .text("output.file", "relax.h5", "output file")
      .boolean("fp.stationary", false, "solve for the stationary state")
      .switch_("fail-on-mismatch", "exit 4 on disagreement");
  return options;
}

std::string write_file(const std::string& text) {
  std::string path = "/tmp/relax-test-config-" + std::to_string(getpid()) + ".ini";
  std::ofstream(path) << text;
  return path;
}

} // namespace

TEST_CASE("Config resolves defaults < INI file < command line", "[core]") {
  const std::string ini =
      write_file("# comment\n[grid]\nn = 50, 60\nlo = -1\n"
                 "[fp]\nbeta = 2\n[petsc]\nfp_ts_type = bdf\nfp_ts_monitor =\n");
  relax::CommandLine command_line;
  const Config config = Config::resolve(
      example_options(),
      {"--config", ini, "--fp.beta=3", "--fail-on-mismatch", "--", "-fp_ts_type", "cn"},
      &command_line);
  std::remove(ini.c_str());
  CHECK(config.integers("grid.n") == std::vector<long>{50, 60});
  CHECK(config.reals("grid.lo") == std::vector<double>{-1.0});
  CHECK(config.real("fp.beta") == 3.0);
  CHECK(config.origin("fp.beta") == "command line");
  CHECK(config.origin("grid.n") == ini);
  CHECK(config.text("output.file") == "relax.h5");
  CHECK(config.has_switch("fail-on-mismatch"));
  CHECK_FALSE(command_line.help);
  // INI [petsc] first, then the command line: PETSc keeps the last value, so the command line wins.
  CHECK(config.petsc_options() ==
        std::vector<std::string>{"-fp_ts_type", "bdf", "-fp_ts_monitor", "-fp_ts_type", "cn"});
}

TEST_CASE("The resolved configuration prints as INI and resolves back to itself", "[core]") {
  const Config config = Config::resolve(example_options(), {"--grid.n=7,8", "--fp.beta", "0.1"});
  const std::string ini = write_file(config.to_ini());
  const Config again = Config::resolve(example_options(), {"--config", ini});
  std::remove(ini.c_str());
  CHECK(again.to_ini() == config.to_ini());
  CHECK(again.real("fp.beta") == 0.1);
  CHECK(config.to_ini().find("[grid]\nn = 7,8\n") != std::string::npos);
}

TEST_CASE("Bad configuration input is an InputError naming the key, value or file", "[core]") {
  const OptionSet options = example_options();
  CHECK_THROWS_WITH(Config::resolve(options, {"--grid.nn=3"}), Catch::Contains("grid.nn"));
  CHECK_THROWS_WITH(Config::resolve(options, {"--fp.beta=abc"}),
                    Catch::Contains("fp.beta") && Catch::Contains("abc") &&
                        Catch::Contains("a finite number"));
  CHECK_THROWS_WITH(Config::resolve(options, {"--fp.beta=nan"}), Catch::Contains("finite"));
  CHECK_THROWS_WITH(Config::resolve(options, {"--grid.n=3,x"}), Catch::Contains("integers"));
  CHECK_THROWS_WITH(Config::resolve(options, {"--grid.bc=open"}),
                    Catch::Contains("reflecting|periodic|absorbing"));
  CHECK_THROWS_WITH(Config::resolve(options, {"--config", "/nonexistent/run.ini"}),
                    Catch::Contains("/nonexistent/run.ini"));
  const std::string malformed = write_file("[grid]\nthis line has no equals sign\n");
  CHECK_THROWS_WITH(Config::resolve(options, {"--config", malformed}),
                    Catch::Contains(malformed) && Catch::Contains("this line has no equals sign"));
  const std::string unknown = write_file("[grid]\nsize = 3\n");
  CHECK_THROWS_WITH(Config::resolve(options, {"--config", unknown}),
                    Catch::Contains("grid.size") && Catch::Contains(unknown));
  std::remove(malformed.c_str());
  std::remove(unknown.c_str());
  CHECK_THROWS_AS(Config::resolve(options, {"--fp.beta=abc"}), InputError);
}

TEST_CASE("Text values with '#' and quotes round-trip through the stored INI; duplicates and "
          "newlines are refused in one line",
          "[core]") {
  const OptionSet options = example_options();
  const Config config =
      Config::resolve(options, {"--output.file=run #3 \"a\".h5", "--", "-fp_ts_type", "x#y"});
  const std::string ini = write_file(config.to_ini());
  const Config again = Config::resolve(options, {"--config", ini});
  CHECK(again.text("output.file") == "run #3 \"a\".h5");
  CHECK(again.petsc_options() == std::vector<std::string>{"-fp_ts_type", "x#y"});
  CHECK(again.to_ini() == config.to_ini());
  // An unquoted '#' still starts a comment, as in the INI files users write.
  std::ofstream(ini) << "[grid]\nn = 7 # cells\n";
  CHECK(Config::resolve(options, {"--config", ini}).integers("grid.n") == std::vector<long>{7});
  std::ofstream(ini) << "[grid]\nn = 7\n[fp]\nbeta = 1\n[grid]\nn = 8\n";
  CHECK_THROWS_WITH(Config::resolve(options, {"--config", ini}),
                    Catch::Contains("line 6: key 'grid.n' given twice (first at " + ini + ":2)"));
  std::remove(ini.c_str());
  CHECK_THROWS_WITH(Config::resolve(options, {"--output.file=a\nb"}),
                    Catch::Contains("output.file = 'a\\nb'") &&
                        Catch::Contains("expected a value on one line"));
  CHECK_THROWS_WITH(Config::resolve(options, {"stray"}),
                    Catch::Contains("argument 'stray' is not an option"));
  CHECK_THROWS_WITH(Config::resolve(options, {"--config", "/tmp"}),
                    Catch::Contains("is not a regular file"));
}

TEST_CASE("first_difference names the first changed key, numbers by value", "[core]") {
  const OptionSet options = example_options();
  const Config before = Config::resolve(options, {"--fp.beta=2", "--grid.n=7,8"});
  const Config same = Config::resolve(options, {"--fp.beta=2.0", "--grid.n=7, 8"});
  CHECK_FALSE(same.first_difference(before.to_ini(), {}).has_value());
  const Config changed = Config::resolve(options, {"--fp.beta=3", "--grid.n=7,8"});
  const auto difference = changed.first_difference(before.to_ini(), {});
  REQUIRE(difference.has_value());
  CHECK(difference->key == "fp.beta");
  CHECK(difference->before == "2");
  CHECK(difference->now == "3");
  CHECK_FALSE(changed.first_difference(before.to_ini(), {"fp."}).has_value());
}
