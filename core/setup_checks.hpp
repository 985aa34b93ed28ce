// The point in every command between "everything that can reject the input exists" and "the
// output file is created". By then every PETSc object the command uses has been created and set
// from the options, so PETSc knows which options were read: one that nothing read is a typo or
// an option of another solver, and is rejected here (exit 2) rather than silently ignored. With
// -help, PETSc has printed the options of those objects by then, and the run stops here (exit 0).
#pragma once

#include "core/config.hpp"
#include "core/error.hpp"

#include <string>

namespace relax {

/// The switch that lets PETSc options no object reads pass (for deliberate extras).
inline const char* const allow_unused_petsc_options = "allow-unused-petsc-options";

/// The switch that stops a run in finish_setup, once its whole input has been checked, before
/// its output exists (a dry run; a parameter sweep checks every case this way first).
inline const char* const check_input_only = "check-input";

/// Thrown by finish_setup when PETSc's -help is set: the help has been printed; exit code 0.
class HelpShown : public Error {
public:
  using Error::Error;
};

/// Thrown by finish_setup, after its checks passed, when `config` has the switch check_input_only.
class InputChecked : public Error {
public:
  using Error::Error;
};

/// Collective (every rank throws the same). Call once every PETSc object of the run exists and
/// was set from the options, before the output file is created. HelpShown with -help; InputError
/// naming the first PETSc option that no object read, unless `config` has the switch
/// allow_unused_petsc_options; then InputChecked when `config` has the switch check_input_only.
void finish_setup(const Config& config);

} // namespace relax
