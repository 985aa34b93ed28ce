#include "core/session.hpp"

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/terminal.hpp"

#include <petscsys.h>
#include <slepcsys.h>

#include <unistd.h>

#include <array>
#include <cstdlib>
#include <string>

namespace relax {

namespace {

/// A process that no launcher started (no mpiexec, srun, PMI or PMIx rank in its environment).
bool is_singleton() {
  for (const char* launched : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) {
    if (std::getenv(launched) != nullptr) {
      return false;
    }
  }
  return true;
}

/// Open MPI's singleton MPI_Init starts its daemon (orted) and opens every transport, which is
/// most of a short run's time. A singleton has no peer to reach: run it without the daemon
/// (ess_singleton_isolated, which rules out MPI_Comm_spawn) and with the self transport only.
/// Every isolated singleton has the same job name, hence the same session directory
/// (<tmp>/ompi.<host>.<uid>/jf.0/1): one process's MPI_Finalize removes it while another's MPI_Init
/// creates it, and that MPI_Init fails (mkdir: no such file; measured: 29 of 2000 runs, five at a
/// time). So each singleton gets a top session directory of its own, named after its pid, which
/// MPI_Finalize removes. MPI-IO's shared-memory file pointers (sharedfp sm) fail with mmap warnings
/// at every MPI_File_open (HDF5's) in an isolated singleton, so another sharedfp component serves.
/// Settings the user made win (setenv without overwrite); other MPIs ignore them.
void prepare_singleton_mpi() {
  if (!is_singleton()) {
    return;
  }
  setenv("OMPI_MCA_ess_singleton_isolated", "1", 0);
  setenv("OMPI_MCA_pml", "ob1", 0);
  setenv("OMPI_MCA_btl", "self", 0);
  setenv("OMPI_MCA_sharedfp", "^sm", 0);
  std::string base = "/tmp"; // Open MPI's own choice: orte_tmpdir_base, else TMPDIR, else /tmp
  for (const char* variable : {"OMPI_MCA_orte_tmpdir_base", "TMPDIR"}) {
    const char* value = std::getenv(variable);
    if (value != nullptr && *value != '\0') {
      base = value;
      break;
    }
  }
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) {
    host[0] = '\0';
  }
  const std::string session_dir = base + "/ompi." + host.data() + "." + std::to_string(getuid()) +
                                  ".singleton-" + std::to_string(getpid());
  setenv("OMPI_MCA_orte_top_session_dir", session_dir.c_str(), 0);
}

} // namespace

Session::Session() {
  int initialized = 0;
  RELAX_MPI(MPI_Initialized(&initialized));
  owns_mpi_ = initialized == 0;
  if (owns_mpi_) {
    prepare_singleton_mpi();
  }
  // SLEPc initializes PETSc and registers its eigensolvers (solvers/spectrum).
  RELAX_PETSC(SlepcInitializeNoArguments());
  terminal::install_petsc_print_hook();
  RELAX_PETSC(PetscPushErrorHandler(PetscReturnErrorHandler, nullptr));
  RELAX_MPI(MPI_Comm_set_errhandler(PETSC_COMM_WORLD, MPI_ERRORS_RETURN));
}

Session::~Session() {
  // SlepcFinalize ends PETSc too. PetscFinalize returns early on an error (a viewer that cannot be
  // opened, say) and then skips MPI_Finalize, which mpiexec reports as an abnormal termination of
  // a run that succeeded.
  SlepcFinalize();
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (owns_mpi_ && finalized == 0) {
    MPI_Finalize();
  }
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
    if ((name + value).find_first_of("\n\r") != std::string::npos) {
      throw InputError("PETSc option '" + name +
                       "': expected a name and value on one line (no newline)");
    }
    if (name == "-options_file") {
      // PETSc reads the file only at PetscInitialize; read it now, and a missing one is an error.
      if (!has_value) {
        throw InputError("PETSc option '-options_file': expected a file name after it");
      }
      const PetscErrorCode code =
          PetscOptionsInsertFile(comm(), nullptr, value.c_str(), PETSC_TRUE);
      if (code != 0) {
        throw InputError("PETSc option '-options_file " + value +
                         "': cannot be read; expected a file of PETSc options");
      }
      continue;
    }
    RELAX_PETSC(PetscOptionsSetValue(nullptr, name.c_str(), has_value ? value.c_str() : nullptr));
  }
  // PetscInitialize starts the event log only when it sees -log_view, and these options come
  // after it: start it here, or PetscFinalize finds nothing to print and fails.
  PetscBool log_view = PETSC_FALSE;
  RELAX_PETSC(PetscOptionsHasName(nullptr, nullptr, "-log_view", &log_view));
  if (log_view == PETSC_TRUE) {
    RELAX_PETSC(PetscLogDefaultBegin());
  }
}

} // namespace relax
