#include "core/setup_checks.hpp"

#include <petscsys.h>

#include <algorithm>
#include <array>
#include <vector>

namespace relax {

namespace {

/// PETSc options that are read after the run (by PetscFinalize) or are this check's own business,
/// so "not read yet" is expected of them here.
bool is_read_at_exit(const std::string& name) {
  static const std::array<const char*, 9> names = {
      "help",        "options_left", "options_view",    "malloc_dump", "malloc_view",
      "memory_view", "log_view",     "log_view_memory", "objects_dump"};
  return std::find(names.begin(), names.end(), name) != names.end();
}

} // namespace

void finish_setup(const Config& config) {
  PetscBool help = PETSC_FALSE;
  RELAX_PETSC(PetscOptionsHasHelp(nullptr, &help));
  if (help == PETSC_TRUE) {
    throw HelpShown("help shown");
  }
  PetscInt count = 0;
  char** names = nullptr;
  char** values = nullptr;
  RELAX_PETSC(PetscOptionsLeftGet(nullptr, &count, &names, &values));
  std::vector<std::pair<std::string, std::string>> unused;
  for (PetscInt i = 0; i < count; ++i) {
    const std::string name = names[i] != nullptr ? names[i] : "";
    if (!is_read_at_exit(name)) {
      unused.emplace_back(name, values[i] != nullptr ? values[i] : "");
    }
  }
  RELAX_PETSC(PetscOptionsLeftRestore(nullptr, &count, &names, &values));
  if (unused.empty() || config.has_switch(allow_unused_petsc_options)) {
    if (config.has_switch(check_input_only)) {
      throw InputChecked("input checked");
    }
    return;
  }
  const auto& [name, value] = unused.front();
  throw InputError("PETSc option '-" + name + (value.empty() ? "" : " " + value) +
                   "': no solver of this run reads it (" + std::to_string(unused.size()) +
                   " such option" + (unused.size() == 1 ? "" : "s") +
                   "); expected an option of its solvers (-help lists them) or --" +
                   allow_unused_petsc_options);
}

} // namespace relax
