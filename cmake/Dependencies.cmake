# Every external dependency, found once; each becomes an imported target the folders link.
# All of them come from Debian bookworm packages (scripts/setup.sh installs them).

find_package(PkgConfig REQUIRED)
find_package(MPI REQUIRED COMPONENTS C CXX)

pkg_check_modules(PETSC REQUIRED IMPORTED_TARGET PETSc>=3.18)
# SLEPc of the same minor version as PETSc (Debian slepc-dev): the spectrum of the FP generator.
pkg_check_modules(SLEPC REQUIRED IMPORTED_TARGET slepc>=3.18)

set(HDF5_PREFER_PARALLEL TRUE)
find_package(HDF5 REQUIRED COMPONENTS C HL)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR
    "relax needs a parallel (MPI) HDF5, but found a serial one (${HDF5_C_INCLUDE_DIRS}). "
    "Install libhdf5-openmpi-dev (scripts/setup.sh does).")
endif()
add_library(relax_hdf5 INTERFACE)
target_include_directories(relax_hdf5 SYSTEM INTERFACE ${HDF5_C_INCLUDE_DIRS})
target_link_libraries(relax_hdf5 INTERFACE ${HDF5_C_HL_LIBRARIES} ${HDF5_C_LIBRARIES})
target_compile_definitions(relax_hdf5 INTERFACE ${HDF5_C_DEFINITIONS})

find_package(Boost 1.74 REQUIRED COMPONENTS program_options)

find_path(CATCH2_INCLUDE_DIR catch2/catch.hpp REQUIRED)
add_library(relax_catch2 INTERFACE)
target_include_directories(relax_catch2 SYSTEM INTERFACE ${CATCH2_INCLUDE_DIR})

find_path(RANDOM123_INCLUDE_DIR Random123/philox.h REQUIRED)
add_library(relax_random123 INTERFACE)
target_include_directories(relax_random123 SYSTEM INTERFACE ${RANDOM123_INCLUDE_DIR})

pkg_check_modules(MUPARSER REQUIRED IMPORTED_TARGET muparser)

# CBLAS from OpenBLAS explicitly: Debian's default libblas.so.3 may be the slow reference BLAS.
pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)

find_package(ZLIB REQUIRED)

find_program(MPIEXEC_EXECUTABLE NAMES mpiexec mpirun REQUIRED)
