#include "app/commands.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/setup_checks.hpp"
#include "core/version.hpp"
#include "io/output_lock.hpp"

#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>
#include <sstream>

namespace relax::app {

namespace {

std::string general_help() {
  std::ostringstream out;
  out << "relax " << relax_version
      << " — Fokker–Planck and viscous Hamilton–Jacobi solvers cross-validated against "
         "particles\n\n"
         "usage: relax <command> [--config run.ini] [--section.key=value ...] [--print-config] "
         "[-- PETSc options]\n\ncommands:\n";
  for (const auto& command : commands()) {
    out << "  " << command.name
        << std::string(10 - std::min<std::size_t>(9, command.name.size()), ' ') << command.summary
        << "\n";
  }
  out << "\nConfiguration: defaults < INI file (--config) < command line (--section.key=value).\n"
         "An INI [petsc] section and arguments after -- go to PETSc (the command line wins).\n"
         "Exit codes: 0 ok, 2 bad input, 3 numerical failure, 4 mismatch (--fail-on-mismatch), "
         "1 internal error.\n\n";
  for (const auto& command : commands()) {
    out << "keys of 'relax " << command.name << "':\n" << command.options().help_text() << "\n";
  }
  return out.str();
}

/// A command's keys, with the switches every command accepts and, for a command that writes an
/// output file, the sweep keys.
OptionSet command_options(const Command& command) {
  OptionSet options = command.options();
  options.switch_(allow_unused_petsc_options,
                  "accept PETSc options that no solver of the command reads (default: exit 2)");
  options.switch_(check_input_only, "check the whole input (keys, files, PETSc options, solver "
                                    "set-up), then exit 0 before any output exists");
  if (options.find("output.file") != nullptr) {
    options.text("sweep.key", "",
                 "a key to sweep in one process: one run per value of sweep.values, written to "
                 "<output.file stem>-<case><extension> (every case is checked before the first "
                 "runs)");
    options.text("sweep.values", "", "the comma-separated values of sweep.key, one run each");
  }
  return options;
}

/// The usage and keys of `command`; with PETSc's -help and a command with solvers, the PETSc
/// options of those solvers too, printed by PETSc while the command builds them (it stops before
/// any output).
int show_help(const Session& session, const Command& command, const OptionSet& options,
              const Config& config, bool with_petsc_options) {
  if (session.rank() == 0) {
    std::cout << "usage: relax " << command.name
              << " [--config run.ini] [--section.key=value ...] [-- PETSc options]\n"
              << command.summary << "\n\n"
              << options.help_text() << std::flush;
  }
  if (!with_petsc_options || !command.has_solvers) {
    return 0;
  }
  if (session.rank() == 0) {
    std::cout << "\nPETSc options of the solvers of 'relax " << command.name << "':\n"
              << std::flush;
  }
  std::vector<std::string> petsc = config.petsc_options();
  petsc.emplace_back("-help");
  session.insert_petsc_options(petsc);
  try {
    command.run(session, config);
  } catch (const HelpShown&) {
    return 0;
  }
  return 0;
}

/// The files and directories the run reads, by the key that names them.
std::vector<RunInput> run_inputs(const OptionSet& options, const Config& config,
                                 const CommandLine& command_line) {
  std::vector<RunInput> inputs;
  if (!command_line.config_file.empty()) {
    inputs.push_back({"--config", command_line.config_file, false});
  }
  for (const OptionSpec& spec : options.specs()) {
    if (spec.input != OptionSpec::Input::none) {
      inputs.push_back({spec.key, config.text(spec.key), spec.input == OptionSpec::Input::directory,
                        spec.input == OptionSpec::Input::restart});
    }
  }
  return inputs;
}

void print_error(const Session& session, const std::string& message) {
  if (session.rank() == 0) {
    std::fprintf(stderr, "relax: error: %s\n", message.c_str());
  }
}

/// Runs `command` with the switch check_input_only: every check up to finish_setup, no output.
int check_input(const Session& session, const Command& command, const OptionSet& options,
                const Config& config, const CommandLine& command_line) {
  if (options.find("output.file") != nullptr) {
    require_output_not_input(session.comm(), config.text("output.file"),
                             run_inputs(options, config, command_line));
  }
  try {
    command.run(session, config);
  } catch (const InputChecked&) {
    return 0;
  }
  return 0; // a command without solvers or output (relax info) has nothing more to check
}

/// The output file of sweep case `index` of `count`: "fp.h5" -> "fp-0.h5" ... (zero-padded to
/// the width of the last index, as PETSc's and deal.II's numbered outputs are).
std::string sweep_case_file(const std::string& output, std::size_t index, std::size_t count) {
  const std::size_t slash = output.find_last_of('/');
  const std::size_t dot = output.find_last_of('.');
  const bool has_extension =
      dot != std::string::npos && (slash == std::string::npos || dot > slash);
  const std::string stem = has_extension ? output.substr(0, dot) : output;
  const std::string extension = has_extension ? output.substr(dot) : std::string();
  std::string number = std::to_string(index);
  const std::size_t width = std::to_string(count - 1).size();
  number.insert(0, width - number.size(), '0');
  return stem + "-" + number + extension;
}

/// `relax <command> --sweep.key=K --sweep.values=v0,v1,...`: one run per value in this process
/// (one MPI job, one start-up), each written to its own file (sweep_case_file). Every case is
/// resolved and checked up to finish_setup before the first one runs, so a bad value exits 2
/// before any output exists. Returns the largest exit code of the cases (4: a mismatch).
int run_sweep(const Session& session, const Command& command, const OptionSet& options,
              const Config& config, const CommandLine& command_line) {
  const std::string& key = config.text("sweep.key");
  if (key.empty() || config.text("sweep.values").empty()) {
    throw InputError("sweep.key = '" + key + "', sweep.values = '" + config.text("sweep.values") +
                     "': expected both, a key and its comma-separated values");
  }
  if (options.find(key) == nullptr || key.rfind("sweep.", 0) == 0 || key == "output.file") {
    throw InputError("sweep.key = '" + key + "': expected a key of 'relax " + command.name +
                     "' other than output.file and sweep.* (relax " + command.name +
                     " --help lists them)");
  }
  std::vector<std::string> values;
  {
    std::stringstream list(config.text("sweep.values"));
    for (std::string value; std::getline(list, value, ',');) {
      const std::size_t first = value.find_first_not_of(" \t");
      const std::size_t last = value.find_last_not_of(" \t");
      if (first == std::string::npos) {
        throw InputError("sweep.values = '" + config.text("sweep.values") +
                         "': expected comma-separated values, found an empty one");
      }
      values.push_back(value.substr(first, last - first + 1));
    }
  }
  // Each case: the sweep's configuration with the swept value and the case's file; the sweep
  // keys stay in it (its file records which sweep it came from). Values are checked against the
  // key's kind here, and everything else by a check run of the case (--check-input).
  std::vector<Config> cases;
  for (std::size_t i = 0; i < values.size(); ++i) {
    Config c = config;
    c.set(key, values[i], "sweep.values, case " + std::to_string(i));
    c.set("output.file", sweep_case_file(config.text("output.file"), i, values.size()),
          "sweep case " + std::to_string(i));
    cases.push_back(std::move(c));
  }
  for (const Config& c : cases) {
    const std::string& output = c.text("output.file");
    require_output_not_input(session.comm(), output, run_inputs(options, c, command_line));
    Config check = c;
    check.set_switch(check_input_only);
    try {
      command.run(session, check);
    } catch (const InputChecked&) {
    }
  }
  if (config.has_switch(check_input_only)) {
    return 0; // every case checked, none run
  }
  int exit_code = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Config& c = cases[i];
    log_info(session.comm(), "relax: sweep case " + std::to_string(i + 1) + " of " +
                                 std::to_string(cases.size()) + ": " + key + " = " + values[i] +
                                 " -> " + c.text("output.file"));
    const OutputLock lock(session.comm(), c.text("output.file"));
    exit_code = std::max(exit_code, command.run(session, c));
  }
  return exit_code;
}

int dispatch(const Session& session, const std::vector<std::string>& args) {
  if (args.empty()) {
    throw InputError("no command given (expected one of: " + [] {
      std::string names;
      for (const auto& c : commands()) {
        names += (names.empty() ? "" : ", ") + c.name;
      }
      return names;
    }() + "; see relax --help)");
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "-help" || args[0] == "help") {
    if (session.rank() == 0) {
      std::cout << general_help();
    }
    return 0;
  }
  for (const auto& command : commands()) {
    if (command.name != args[0]) {
      continue;
    }
    const OptionSet options = command_options(command);
    CommandLine command_line;
    const Config config = Config::resolve(options, {args.begin() + 1, args.end()}, &command_line);
    if (command_line.help) {
      return show_help(session, command, options, config, command_line.petsc_help);
    }
    session.insert_petsc_options(config.petsc_options());
    if (command_line.print_config) {
      if (session.rank() == 0) {
        std::cout << config.to_ini();
      }
      return 0;
    }
    if (options.find("output.file") == nullptr) {
      return command.run(session, config);
    }
    if (!config.text("sweep.key").empty() || !config.text("sweep.values").empty()) {
      return run_sweep(session, command, options, config, command_line);
    }
    if (config.has_switch(check_input_only)) {
      return check_input(session, command, options, config, command_line);
    }
    // Before any work: the output is none of the inputs, and no other live run writes it.
    const std::string& output = config.text("output.file");
    require_output_not_input(session.comm(), output, run_inputs(options, config, command_line));
    const OutputLock lock(session.comm(), output);
    return command.run(session, config);
  }
  std::string names;
  for (const auto& c : commands()) {
    names += (names.empty() ? "" : ", ") + c.name;
  }
  throw InputError("unknown command '" + args[0] + "' (expected one of: " + names + ")");
}

} // namespace

int run_cli(const Session& session, const std::vector<std::string>& args) {
  // Input and numerical errors are thrown on every rank at the same point (the input is the same
  // everywhere, and numerical checks are collective), so each rank returns its exit code. Anything
  // else may be local to one rank: abort the whole job rather than leave the others in a
  // collective.
  try {
    return dispatch(session, args);
  } catch (const InputError& e) {
    print_error(session, e.what());
    return 2;
  } catch (const NumericalError& e) {
    print_error(session, e.what());
    return 3;
  } catch (const PetscError& e) {
    print_error(session, e.what());
    return e.is_input_error() ? 2 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "relax: internal error on rank %d: %s\n", session.rank(), e.what());
    if (session.size() > 1) {
      MPI_Abort(session.comm(), 1);
    }
    return 1;
  }
}

} // namespace relax::app
