#include "core/terminal.hpp"

#include <petscsys.h>

#include <cstdio>

namespace relax::terminal {

namespace {

bool& live_line() {
  static bool on_screen = false;
  return on_screen;
}

using PetscPrint = PetscErrorCode (*)(FILE*, const char[], va_list);

/// PETSc's own printer, which the hook hands every call on to.
PetscPrint& petsc_printer() {
  static PetscPrint printer = nullptr;
  return printer;
}

PetscErrorCode print_on_a_clean_line(FILE* stream, const char format[], va_list arguments) {
  if (stream == stdout || stream == stderr) {
    clear_live_line();
  }
  return petsc_printer()(stream, format, arguments);
}

} // namespace

void mark_live_line() {
  live_line() = true;
}

void forget_live_line() {
  live_line() = false;
}

void clear_live_line() {
  if (live_line()) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    live_line() = false;
  }
}

void install_petsc_print_hook() {
  if (PetscVFPrintf != print_on_a_clean_line) {
    petsc_printer() = PetscVFPrintf;
    PetscVFPrintf = print_on_a_clean_line;
  }
}

} // namespace relax::terminal
