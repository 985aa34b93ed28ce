# Helpers that give every relax target the same flags and every test the same MPI launch.

set(RELAX_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast)

function(relax_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_library(${name} ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${RELAX_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_LIBS})
  if(RELAX_SANITIZE)
    target_compile_options(${name} PUBLIC -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${name} PUBLIC -fsanitize=address,undefined)
  endif()
endfunction()

# The environment OpenMPI needs as root and with more ranks than cores; set here, never by hand.
set(RELAX_MPI_ENV
  OMPI_ALLOW_RUN_AS_ROOT=1
  OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  OMPI_MCA_rmaps_base_oversubscribe=1
  OMPI_MCA_btl_vader_single_copy_mechanism=none)
if(RELAX_SANITIZE)
  # OpenMPI's plug-ins (dlopen'ed, reported as unknown modules) keep allocations until exit, which
  # LeakSanitizer cannot be told apart from ours; the debug preset checks addresses and UB, not leaks.
  list(APPEND RELAX_MPI_ENV "ASAN_OPTIONS=detect_leaks=0")
endif()

# relax_add_test(NAME n SOURCES ... LIBS ... [LABELS ...] [TIMEOUT s])
# Registers `n` at 1 rank (all test cases, label `unit` or the given labels) and, when any test case is
# tagged [mpi], `n_np2` and `n_np3` running only the [mpi] cases (label `mpi`).
function(relax_add_test)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_compile_options(${ARG_NAME} PRIVATE ${RELAX_WARNINGS})
  target_link_libraries(${ARG_NAME} PRIVATE relax_test_main ${ARG_LIBS})
  add_test(NAME ${ARG_NAME}
           COMMAND ${MPIEXEC_EXECUTABLE} -n 1 $<TARGET_FILE:${ARG_NAME}>)
  set_tests_properties(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
                       ENVIRONMENT "${RELAX_MPI_ENV}")
  set(has_mpi FALSE)
  foreach(src ${ARG_SOURCES})
    file(READ ${CMAKE_CURRENT_SOURCE_DIR}/${src} text)
    if(text MATCHES "\\[mpi\\]")
      set(has_mpi TRUE)
    endif()
  endforeach()
  if(has_mpi)
    foreach(np 2 3)
      add_test(NAME ${ARG_NAME}_np${np}
               COMMAND ${MPIEXEC_EXECUTABLE} -n ${np} $<TARGET_FILE:${ARG_NAME}> "[mpi]")
      set_tests_properties(${ARG_NAME}_np${np} PROPERTIES LABELS "mpi" TIMEOUT ${ARG_TIMEOUT}
                           PROCESSORS ${np} ENVIRONMENT "${RELAX_MPI_ENV}")
    endforeach()
  endif()
endfunction()

# relax_add_cli_test(NAME n SCRIPT file.sh [TIMEOUT s]): runs a bash script against the relax binary
# (label `cli`); the script sources tests/app/cli_lib.sh.
function(relax_add_cli_test)
  cmake_parse_arguments(ARG "" "NAME;SCRIPT;TIMEOUT" "" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_test(NAME ${ARG_NAME} COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/${ARG_SCRIPT})
  set_tests_properties(${ARG_NAME} PROPERTIES LABELS cli TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "${RELAX_MPI_ENV};RELAX=$<TARGET_FILE:relax>;MPIEXEC=${MPIEXEC_EXECUTABLE};RELAX_SOURCE_DIR=${PROJECT_SOURCE_DIR};PYTHON=/usr/bin/python3")
endfunction()
