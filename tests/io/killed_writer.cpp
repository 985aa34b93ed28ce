// A writer killed after its third flushed output, and the check that the partial file it leaves
// holds exactly those three outputs, complete and bit-identical (test_killed_writer.sh runs both).
//   io_killed_writer write PATH   (any number of ranks) writes PATH.part and, once all three
//                                 outputs are flushed, PATH.flushed; then kills itself
//   io_killed_writer check PATH   (one rank) checks PATH.part; exit 0 when it holds the outputs
#include "core/mpi.hpp"
#include "core/petsc_handle.hpp"
#include "core/session.hpp"
#include "grids/grid.hpp"
#include "io/output_file.hpp"
#include "io_test_support.hpp"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <string>
#include <vector>

namespace {

constexpr int outputs = 3;
constexpr std::size_t particles = 11;
constexpr std::size_t width = 2;

double particle(int level, std::size_t row, std::size_t column) {
  return 100.0 * level + static_cast<double>(row) + 0.5 * static_cast<double>(column);
}

std::vector<double> analytic_field(const relax::Grid& grid, int level) {
  relax::GridField field(grid);
  field.fill([&](const double* x) { return relax::test::analytic(x, grid.dim(), level); });
  const relax::petsc::ConstVecArray values(field.vec());
  return {values.begin(), values.end()};
}

[[noreturn]] void write_and_die(MPI_Comm comm, const std::string& path) {
  const relax::Grid grid(comm, relax::test::test_axes(2));
  relax::GridField field(grid);
  const auto rank = static_cast<std::size_t>(relax::comm_rank(comm));
  const auto size = static_cast<std::size_t>(relax::comm_size(comm));
  const std::size_t first = particles * rank / size;
  const std::size_t count = particles * (rank + 1) / size - first;
  relax::OutputFile out(comm, path, {"killed_writer", "", 7});
  out.write_grid(grid);
  for (int level = 0; level < outputs; ++level) {
    field.fill([&](const double* x) { return relax::test::analytic(x, grid.dim(), level); });
    out.append_field("/fp/density", field);
    out.append_scalar("/fp/time", level);
    std::vector<double> rows;
    for (std::size_t r = first; r < first + count; ++r) {
      for (std::size_t c = 0; c < width; ++c) {
        rows.push_back(particle(level, r, c));
      }
    }
    out.append_rows("/sde/particles", rows.data(), count, first, particles, width);
    out.flush();
  }
  MPI_Barrier(comm); // every rank has flushed
  if (rank == 0) {   // a marker file, not stdout: mpiexec may drop a killed rank's last output
    std::ofstream(path + ".flushed") << outputs << " outputs flushed\n";
  }
  MPI_Barrier(comm);
  std::raise(SIGKILL); // no finish, no destructor, no MPI_Finalize
  std::_Exit(1);
}

/// Returns the number of failed checks, each reported on stderr.
int check(const std::string& path) {
  int failures = 0;
  auto expect = [&](bool ok, const std::string& what) {
    if (!ok) {
      std::fprintf(stderr, "check failed: %s\n", what.c_str());
      ++failures;
    }
  };
  const relax::InputFile in(PETSC_COMM_SELF, path);
  const relax::Grid grid(PETSC_COMM_SELF, relax::test::test_axes(2));
  const std::vector<std::size_t> field_shape{outputs, static_cast<std::size_t>(grid.axis(1).n),
                                             static_cast<std::size_t>(grid.axis(0).n)};
  expect(in.read_string_attribute("/", "command") == "killed_writer", "root attribute command");
  expect(in.shape("/fp/density") == field_shape, "/fp/density has shape (3, ny, nx)");
  expect(in.read_array("/fp/time") == std::vector<double>{0, 1, 2}, "/fp/time is 0, 1, 2");
  expect(in.shape("/sde/particles") == std::vector<std::size_t>{outputs, particles, width},
         "/sde/particles has shape (3, N, width)");
  const std::vector<double> stored = in.read_array("/fp/density");
  const std::vector<double> rows = in.read_array("/sde/particles");
  for (int level = 0; level < outputs && failures == 0; ++level) {
    const std::vector<double> expected = analytic_field(grid, level);
    const auto offset = static_cast<std::size_t>(level) * expected.size();
    expect(relax::test::bit_mismatches(stored.data() + offset, expected.data(), expected.size()) ==
               0,
           "level " + std::to_string(level) + " of /fp/density is the analytic field");
    for (std::size_t r = 0; r < particles; ++r) {
      for (std::size_t c = 0; c < width; ++c) {
        const std::size_t at = (static_cast<std::size_t>(level) * particles + r) * width + c;
        expect(rows[at] == particle(level, r, c),
               "particle " + std::to_string(r) + " at level " + std::to_string(level));
      }
    }
  }
  return failures;
}

} // namespace

int main(int argc, char* argv[]) {
  if (argc != 3 || (std::strcmp(argv[1], "write") != 0 && std::strcmp(argv[1], "check") != 0)) {
    std::fprintf(stderr, "usage: %s write|check PATH\n", argv[0]);
    return 2;
  }
  try {
    const relax::Session session;
    if (std::strcmp(argv[1], "write") == 0) {
      write_and_die(session.comm(), argv[2]);
    }
    const int failures = check(argv[2]);
    std::printf("%s: %d failed checks\n", argv[2], failures);
    return failures == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
