#include "app/commands.hpp"

#include "core/error.hpp"
#include "core/setup_checks.hpp"
#include "core/version.hpp"
#include "io/output_lock.hpp"

#include <mpi.h>

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

/// A command's keys, with the switch every command accepts.
OptionSet command_options(const Command& command) {
  OptionSet options = command.options();
  options.switch_(allow_unused_petsc_options,
                  "accept PETSc options that no solver of the command reads (default: exit 2)");
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
