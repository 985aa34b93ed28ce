// One Catch2 main for every test binary, serial or MPI (after MFEM's tests/unit): PETSc is
// initialized once per process, every rank runs the same test cases, rank 0 reports, and the
// process fails on every rank when any rank has a failure. A rank other than 0 that fails prints
// its own report. Test cases that run collectives must assert on values every rank agrees on, so no
// rank leaves a collective early.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "core/mpi.hpp"
#include "core/session.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

int main(int argc, char* argv[]) {
  relax::Session session;
  int failed = 0;
  {
    Catch::Session catch_session;
    if (const int rc = catch_session.applyCommandLine(argc, argv); rc != 0) {
      return rc;
    }
    const int rank = session.rank();
    std::string report;
    if (rank != 0) {
      report = "/tmp/relax-catch-" + std::to_string(getpid()) + "-rank" + std::to_string(rank);
      catch_session.configData().outputFilename = report;
    }
    failed = catch_session.run();
    if (rank != 0) {
      if (failed != 0) {
        std::ifstream in(report);
        std::cerr << "---- report of rank " << rank << " ----\n" << in.rdbuf() << std::flush;
      }
      std::remove(report.c_str());
    }
  }
  MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, session.comm());
  return failed == 0 ? 0 : 1;
}
