#include "core/session.hpp"

#include "core/config.hpp"
#include "core/error.hpp"

#include <petscsys.h>

#include <string>

namespace relax {

Session::Session() {
  RELAX_PETSC(PetscInitializeNoArguments());
  RELAX_PETSC(PetscPushErrorHandler(PetscReturnErrorHandler, nullptr));
  RELAX_MPI(MPI_Comm_set_errhandler(PETSC_COMM_WORLD, MPI_ERRORS_RETURN));
}

Session::~Session() {
  PetscFinalize();
}

MPI_Comm Session::comm() const {
  return PETSC_COMM_WORLD;
}

int Session::rank() const {
  int rank = 0;
  MPI_Comm_rank(comm(), &rank);
  return rank;
}

int Session::size() const {
  int size = 0;
  MPI_Comm_size(comm(), &size);
  return size;
}

void Session::insert_petsc_options(const std::vector<std::string>& tokens) const {
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& name = tokens[i];
    if (!is_petsc_option_name(name)) {
      throw InputError("PETSc option '" + name + "': expected an option name starting with '-'");
    }
    const bool has_value = i + 1 < tokens.size() && !is_petsc_option_name(tokens[i + 1]);
    const std::string value = has_value ? tokens[++i] : std::string();
    RELAX_PETSC(PetscOptionsSetValue(nullptr, name.c_str(), has_value ? value.c_str() : nullptr));
  }
}

} // namespace relax
