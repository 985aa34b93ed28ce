// Keys shared by the commands that run one problem over time (fp, sde, compare), declared in one
// place so they keep one name, default and help everywhere. The output times they describe come
// from make_output_times (solvers/fokker_planck_setup.hpp), which `relax fp` uses as well.
#pragma once

#include "core/config.hpp"

#include <string>

namespace relax::app {

/// The problem both the PDE and the particles solve: [landscape], [grid], [temperature], [initial]
/// and [drift].
void declare_problem_options(OptionSet& options);

/// [time] end, outputs, output_times: the same specs as declare_fokker_planck_options declares, so
/// a command may merge both.
void declare_time_options(OptionSet& options);

/// [output] file, with the command's default file name.
void declare_output_options(OptionSet& options, const std::string& default_file);

} // namespace relax::app
