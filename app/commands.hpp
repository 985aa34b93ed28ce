// The subcommands of the `relax` executable. Each is thin (STYLE.md): it declares the keys it
// reads, builds the objects the libraries provide, loops over output times and hands results to
// io/. No numerics live in app/.
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
};

/// Every command, in the order `relax --help` lists them.
std::vector<Command> commands();

/// The whole CLI: parses `args` (argv without the program name), runs the command, and maps every
/// error kind to its exit code in one place (DESIGN.md §4): 2 bad input, 3 numerical failure,
/// 1 internal error.
int run_cli(const Session& session, const std::vector<std::string>& args);

OptionSet info_options();
int run_info(const Session& session, const Config& config);

/// `relax compare` (app/compare.cpp): the FP density and particles on one problem, compared.
OptionSet compare_options();
int run_compare(const Session& session, const Config& config);

/// `relax train` (app/train.cpp): an MLP trained by SGD, SGLD, CTLD or Entropy-SGD.
OptionSet train_options();
int run_train(const Session& session, const Config& config);

/// `relax fp` (app/fp.cpp): the Fokker-Planck density on a grid, or its stationary state.
OptionSet fp_options();
int run_fp(const Session& session, const Config& config);

/// `relax sde` (app/sde.cpp): particles of Langevin dynamics, histograms, moments, passages.
OptionSet sde_options();
int run_sde(const Session& session, const Config& config);

/// `relax hj` (app/hj.cpp): local entropy f_gamma on a sequence of gamma, particle gradients.
OptionSet hj_options();
int run_hj(const Session& session, const Config& config);

/// `relax fb` (app/fb.cpp): forward-backward equations of controlled SGD, Theorem 7.
OptionSet fb_options();
int run_fb(const Session& session, const Config& config);

} // namespace relax::app
