// The subcommands of the `relax` executable: a table of names, summaries, option sets and short
// run functions, each of which calls one study (studies/), solver run (solvers/), particle run
// (sde/) or training run (learning/). No numerics and no output schema live in app/.
#pragma once

#include "core/config.hpp"
#include "core/session.hpp"

#include <string>
#include <vector>

namespace relax::app {

struct Command {
  std::string name;
  std::string summary;
  OptionSet (*options)();
  /// Returns the process exit code (0, or 4 for a reported mismatch); errors are thrown.
  int (*run)(const Session& session, const Config& config);
  /// The command sets up PETSc solvers: with -help it builds them (PETSc prints their options)
  /// and stops where it would create its output.
  bool has_solvers = false;
};

/// Every command, in the order `relax --help` lists them.
std::vector<Command> commands();

/// The whole CLI: parses `args` (argv without the program name), runs the command, and maps every
/// error kind to its exit code in one place: 2 bad input, 3 numerical failure, 4 mismatch, 1
/// internal error.
int run_cli(const Session& session, const std::vector<std::string>& args);

/// `relax info` (app/info.cpp): versions of relax and its libraries.
OptionSet info_options();
int run_info(const Session& session, const Config& config);

} // namespace relax::app
