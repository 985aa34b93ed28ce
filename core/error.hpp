// Error kinds of relax and the checks that turn PETSc, MPI and HDF5 failures into exceptions.
// Each kind maps to one exit code (README, "The relax program"), decided in one place: app/cli.cpp.
// Throw at the boundary where bad input enters, with a message that names the thing and what was
// expected; the CLI prints it as one line.
#pragma once

#include <stdexcept>
#include <string>

namespace relax {

/// Base of every relax exception; `what()` is a complete one-line message.
class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Bad user input: key, value, file, shape, NaN in a given field. Exit code 2.
class InputError : public Error {
public:
  using Error::Error;
};

/// Numerical failure (non-finite state, solver divergence) after the last good state was saved.
/// Exit code 3. Must be thrown collectively: every rank throws it at the same point.
class NumericalError : public Error {
public:
  using Error::Error;
};

/// A PETSc call failed. Carries PETSc's own message; `is_input_error()` says whether PETSc blamed
/// an argument or option (unknown type, wrong value), which the CLI reports as bad input.
class PetscError : public Error {
public:
  PetscError(int code, const std::string& message);
  int code() const { return code_; }
  bool is_input_error() const;

private:
  int code_;
};

/// Throws PetscError carrying PETSc's message when `code` is nonzero. Use through RELAX_PETSC.
void petsc_check(int code, const char* expression, const char* file, int line);

/// Throws Error carrying the MPI error string when `code` is not MPI_SUCCESS.
void mpi_check(int code, const char* expression);

} // namespace relax

#define RELAX_PETSC(expr) ::relax::petsc_check((expr), #expr, __FILE__, __LINE__)
#define RELAX_MPI(expr) ::relax::mpi_check((expr), #expr)
