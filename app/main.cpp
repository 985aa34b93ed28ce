// The `relax` executable: one process-wide Session, then the CLI (app/cli.cpp).
#include "app/commands.hpp"

#include <cstdio>
#include <exception>

int main(int argc, char* argv[]) {
  try {
    const relax::Session session;
    return relax::app::run_cli(session, {argv + 1, argv + argc});
  } catch (const std::exception& e) { // PETSc or MPI could not start
    std::fprintf(stderr, "relax: error: %s\n", e.what());
    return 1;
  }
}
