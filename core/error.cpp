#include "core/error.hpp"

#include <mpi.h>
#include <petscsys.h>

#include <string>

namespace relax {

PetscError::PetscError(int code, const std::string& message) : Error(message), code_(code) {}

bool PetscError::is_input_error() const {
  switch (code_) {
  case PETSC_ERR_ARG_UNKNOWN_TYPE:
  case PETSC_ERR_ARG_WRONG:
  case PETSC_ERR_ARG_OUTOFRANGE:
  case PETSC_ERR_ARG_INCOMP:
  case PETSC_ERR_USER_INPUT:
  case PETSC_ERR_FILE_OPEN:
  case PETSC_ERR_FILE_READ:
  case PETSC_ERR_FILE_UNEXPECTED:
    return true;
  default:
    return false;
  }
}

void petsc_check(int code, const char* expression, const char* file, int line) {
  if (code == 0) {
    return;
  }
  // The session installs PetscReturnErrorHandler, so PETSc prints nothing; the specific message of
  // the innermost SETERRQ is kept by PETSc and read back here.
  const char* generic = nullptr;
  char* specific = nullptr;
  PetscErrorMessage(static_cast<PetscErrorCode>(code), &generic, &specific);
  std::string message = "PETSc error";
  if (specific != nullptr && specific[0] != '\0') {
    message += ": ";
    message += specific;
  } else if (generic != nullptr) {
    message += ": ";
    message += generic;
  }
  // Single line: PETSc messages may carry newlines.
  for (char& c : message) {
    if (c == '\n') {
      c = ' ';
    }
  }
  while (!message.empty() && message.back() == ' ') {
    message.pop_back();
  }
  message += " (in " + std::string(expression) + " at " + file + ":" + std::to_string(line) + ")";
  throw PetscError(code, message);
}

void mpi_check(int code, const char* expression) {
  if (code == MPI_SUCCESS) {
    return;
  }
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw Error("MPI error: " + std::string(text, static_cast<std::size_t>(length)) + " (in " +
              expression + ")");
}

} // namespace relax
