// The terminal line that rank 0's live progress bar (core/progress) borrows on stderr. The bar is
// drawn without a newline and redrawn in place; any other output first erases it, so a table row,
// a warning, an error or a PETSc monitor line starts at column 0 of a clean line instead of being
// glued onto the bar. The bar is redrawn by its next update. One terminal per process, so the
// "a bar is on screen" bit is per process (a function-local static), not per object.
#pragma once

namespace relax::terminal {

/// The progress bar is on screen, its line unfinished (called after drawing it on a terminal).
void mark_live_line();
/// The bar's line was ended with a newline by its owner: nothing to erase.
void forget_live_line();
/// Erases the bar's line ("\r", erase to end of line, on stderr) when one is on screen. log_info,
/// log_warning, the error line of the CLI and PETSc's printing (below) call it before printing.
void clear_live_line();
/// Routes PETSc's printing (PetscPrintf, monitors, -*_view, -log_view) through clear_live_line.
/// Called once after PetscInitialize.
void install_petsc_print_hook();

} // namespace relax::terminal
