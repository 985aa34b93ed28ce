#include "app/commands.hpp"

#include "core/log.hpp"
#include "core/version.hpp"

#include <boost/version.hpp>
#include <hdf5.h>
#include <muParserDef.h>
#include <petscsys.h>
#include <slepcsys.h>

#include <cstdio>
#include <sstream>

extern "C" char* openblas_get_config();

namespace relax::app {

OptionSet info_options() {
  return {};
}

int run_info(const Session& session, const Config& /*config*/) {
  char petsc[256];
  PetscGetVersion(petsc, sizeof petsc);
  char slepc[256];
  SlepcGetVersion(slepc, sizeof slepc);
  unsigned hdf5_major = 0;
  unsigned hdf5_minor = 0;
  unsigned hdf5_release = 0;
  H5get_libversion(&hdf5_major, &hdf5_minor, &hdf5_release);
  char mpi[MPI_MAX_LIBRARY_VERSION_STRING];
  int mpi_length = 0;
  MPI_Get_library_version(mpi, &mpi_length);
  std::string mpi_version(mpi, static_cast<std::size_t>(mpi_length));
  mpi_version = mpi_version.substr(0, mpi_version.find_first_of(",\n"));

  std::ostringstream out;
  out << "relax " << relax_version << " (" << build_type << ", " << compiler << ")\n"
      << "PETSc: " << petsc << "\n"
      << "SLEPc: " << slepc << "\n"
      << "HDF5: " << hdf5_major << "." << hdf5_minor << "." << hdf5_release
#ifdef H5_HAVE_PARALLEL
      << " (parallel)"
#endif
      << "\n"
      << "MPI: " << mpi_version << "\n"
      << "Boost: " << BOOST_VERSION / 100000 << "." << BOOST_VERSION / 100 % 1000 << "."
      << BOOST_VERSION % 100 << "\n"
      << "muParser: " << mu::ParserVersion << "\n"
      << "OpenBLAS: " << openblas_get_config() << "\n"
      << "MPI ranks: " << session.size();
  log_info(session.comm(), out.str());
  return 0;
}

} // namespace relax::app
