// The one object that owns MPI, PETSc and SLEPc for a process: SlepcInitialize (which initializes
// PETSc) in the constructor, SlepcFinalize in the destructor. It silences PETSc's own error
// printing (errors become exceptions carrying PETSc's message, core/error.hpp) and makes MPI return
// error codes instead of aborting.
#pragma once

#include <mpi.h>

#include <string>
#include <vector>

namespace relax {

class Session {
public:
  /// Initializes MPI (if needed) and PETSc. Options come from the PETSC_OPTIONS environment
  /// variable and later from insert_petsc_options; the process command line is left to relax's own
  /// parser.
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  Session(Session&&) = delete;
  Session& operator=(Session&&) = delete;

  MPI_Comm comm() const;
  int rank() const;
  int size() const;

  /// Adds command-line style PETSc options ("-fp_ts_type", "bdf", "-fp_ts_monitor") to PETSc's
  /// options database; a later value of the same option replaces an earlier one. Throws InputError
  /// for a token that is not an option. -log_view given here works as from PETSC_OPTIONS.
  void insert_petsc_options(const std::vector<std::string>& tokens) const;

private:
  bool owns_mpi_ = false; ///< MPI was initialized here (through PETSc), so it is finalized here
};

} // namespace relax
