// The keys of the problem that the PDE and the particles both solve, declared in one place so they
// keep one name, default and help everywhere: [landscape], [grid], [temperature], [initial],
// [drift] and [diffusion].
#pragma once

#include "core/config.hpp"

namespace relax {

void declare_problem_options(OptionSet& options);

} // namespace relax
