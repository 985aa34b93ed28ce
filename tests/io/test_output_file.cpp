#include "core/error.hpp"
#include "core/mpi.hpp"
#include "core/petsc_handle.hpp"
#include "core/version.hpp"
#include "grids/grid.hpp"
#include "io/hdf5.hpp"
#include "io/output_file.hpp"
#include "io_test_support.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

using relax::Grid;
using relax::GridField;
using relax::InputError;
using relax::InputFile;
using relax::OutputFile;
using relax::RunAttributes;
namespace hdf5 = relax::hdf5;
namespace test = relax::test;

namespace {

RunAttributes run_attributes() {
  return {"test", "[grid]\nn = 7\n", 42};
}

void fill(GridField& field, int level) {
  const int dim = field.grid().dim();
  field.fill([&](const double* x) { return test::analytic(x, dim, level); });
}

/// Collective: cells of `field` whose bits differ from the analytic fill at `level`, over all
/// ranks.
unsigned long long mismatches_with_fill(const GridField& field, int level) {
  GridField expected(field.grid());
  fill(expected, level);
  const relax::petsc::ConstVecArray got(field.vec());
  const relax::petsc::ConstVecArray want(expected.vec());
  unsigned long long count = test::bit_mismatches(got.data(), want.data(), got.size());
  MPI_Allreduce(MPI_IN_PLACE, &count, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, field.grid().comm());
  return count;
}

/// The analytic fill at `level` on one rank, in dataset order.
std::vector<double> serial_fill(const std::vector<relax::Axis>& axes, int level) {
  const Grid serial(PETSC_COMM_SELF, axes);
  GridField field(serial);
  fill(field, level);
  const relax::petsc::ConstVecArray values(field.vec());
  return {values.begin(), values.end()};
}

std::vector<std::size_t> dataset_shape(const std::vector<relax::Axis>& axes) {
  std::vector<std::size_t> shape;
  for (auto a = axes.size(); a-- > 0;) {
    shape.push_back(static_cast<std::size_t>(axes[a].n));
  }
  return shape;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Particle value at (level, row, column): distinct everywhere.
double particle(int level, std::size_t row, std::size_t column) {
  return 1000.0 * level + 10.0 * static_cast<double>(row) + static_cast<double>(column) + 0.25;
}

std::vector<double> particle_rows(int level, std::size_t first, std::size_t count,
                                  std::size_t width) {
  std::vector<double> rows;
  for (std::size_t r = first; r < first + count; ++r) {
    for (std::size_t c = 0; c < width; ++c) {
      rows.push_back(particle(level, r, c));
    }
  }
  return rows;
}

/// `total` particles of `width` values, in contiguous blocks of rows over the ranks of `comm`.
struct Particles {
  Particles(MPI_Comm comm, std::size_t total_, std::size_t width_) : total(total_), width(width_) {
    const auto rank = static_cast<std::size_t>(relax::comm_rank(comm));
    const auto size = static_cast<std::size_t>(relax::comm_size(comm));
    first = total * rank / size;
    count = total * (rank + 1) / size - first;
  }
  std::vector<double> mine(int level) const { return particle_rows(level, first, count, width); }
  std::vector<double> all(int level) const { return particle_rows(level, 0, total, width); }

  std::size_t total;
  std::size_t width;
  std::size_t first = 0;
  std::size_t count = 0;
};

/// One HDF5 array attribute read with plain serial HDF5 (no relax reader involved).
template <typename T>
std::vector<T> raw_array_attribute(const std::string& path, const char* object, const char* name,
                                   hid_t type, std::size_t count) {
  const hdf5::File file(RELAX_HDF5(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)));
  const hdf5::Attribute attribute(
      RELAX_HDF5(H5Aopen_by_name(file, object, name, H5P_DEFAULT, H5P_DEFAULT)));
  std::vector<T> values(count);
  RELAX_HDF5(H5Aread(attribute, type, values.data()));
  return values;
}

/// Every test case works in its own scratch directory on PETSC_COMM_WORLD.
struct Scratch {
  MPI_Comm world = PETSC_COMM_WORLD;
  test::ScratchDir scratch{world};
};

/// The message of the InputError `f` throws; empty when it throws none.
template <typename F> std::string input_error(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return {};
}

} // namespace

TEST_CASE_METHOD(Scratch,
                 "A field written on any number of ranks reads back bit-identical on one rank",
                 "[io][mpi]") {
  for (int dim = 1; dim <= 3; ++dim) {
    CAPTURE(dim);
    const std::vector<relax::Axis> axes = test::test_axes(dim);
    const std::string path = scratch.file("field" + std::to_string(dim) + ".h5");
    const Grid grid(world, axes);
    {
      GridField field(grid);
      fill(field, 0);
      OutputFile out(world, path, run_attributes());
      out.write_grid(grid);
      out.write_field("/fields/f", field);
      out.finish();
    }
    const std::vector<double> expected = serial_fill(axes, 0);
    {
      const InputFile in(PETSC_COMM_SELF, path);
      CHECK(in.shape("/fields/f") == dataset_shape(axes));
      const std::vector<double> stored = in.read_array("/fields/f");
      REQUIRE(stored.size() == expected.size());
      CHECK(test::bit_mismatches(stored.data(), expected.data(), stored.size()) == 0);

      const Grid serial(PETSC_COMM_SELF, axes);
      GridField read_serial(serial);
      in.read_field("/fields/f", read_serial);
      CHECK(mismatches_with_fill(read_serial, 0) == 0);

      CHECK(in.read_int_attribute("/grid", "dim") == dim);
      for (int a = 0; a < dim; ++a) {
        std::vector<double> centres;
        for (int i = 0; i < axes[static_cast<std::size_t>(a)].n; ++i) {
          centres.push_back(axes[static_cast<std::size_t>(a)].centre(i));
        }
        CHECK(in.read_array("/grid/x" + std::to_string(a)) == centres);
      }
    }
    // /grid's per-axis attributes, read with plain serial HDF5.
    const auto count = static_cast<std::size_t>(dim);
    const auto lo = raw_array_attribute<double>(path, "/grid", "lo", H5T_NATIVE_DOUBLE, count);
    const auto hi = raw_array_attribute<double>(path, "/grid", "hi", H5T_NATIVE_DOUBLE, count);
    const auto n = raw_array_attribute<std::int64_t>(path, "/grid", "n", H5T_NATIVE_INT64, count);
    for (std::size_t a = 0; a < count; ++a) {
      CHECK(lo[a] == axes[a].lo);
      CHECK(hi[a] == axes[a].hi);
      CHECK(n[a] == axes[a].n);
    }
    // The parallel read path: every rank reads its own block.
    const InputFile in(world, path);
    GridField read_back(grid);
    in.read_field("/fields/f", read_back);
    CHECK(mismatches_with_fill(read_back, 0) == 0);
  }
}

TEST_CASE_METHOD(Scratch, "Time series keep every appended level bit-identical", "[io][mpi]") {
  const std::string path = scratch.file("series.h5");
  const std::vector<relax::Axis> axes = test::test_axes(2);
  const int levels = 4;
  const Particles particles(world, 10, 3);
  {
    const Grid grid(world, axes);
    GridField field(grid);
    OutputFile out(world, path, run_attributes());
    for (int level = 0; level < levels; ++level) {
      fill(field, level);
      out.append_field("/fp/density", field);
      out.append_scalar("/fp/time", 0.5 * level);
      out.append_row("/fp/moments", {1.0 * level, 1.0 * level * level, -1.0 / 3});
      out.append_rows("/sde/particles", particles.mine(level).data(), particles.count,
                      particles.first, particles.total, particles.width);
      out.flush();
    }
    out.finish();
  }
  const InputFile in(PETSC_COMM_SELF, path);
  std::vector<std::size_t> field_shape{levels};
  for (std::size_t n : dataset_shape(axes)) {
    field_shape.push_back(n);
  }
  CHECK(in.shape("/fp/density") == field_shape);
  CHECK(in.read_array("/fp/time") == std::vector<double>{0, 0.5, 1, 1.5});
  CHECK(in.shape("/fp/moments") == std::vector<std::size_t>{levels, 3});
  CHECK(in.read_array("/fp/moments") ==
        std::vector<double>{0, 0, -1.0 / 3, 1, 1, -1.0 / 3, 2, 4, -1.0 / 3, 3, 9, -1.0 / 3});
  CHECK(in.shape("/sde/particles") ==
        std::vector<std::size_t>{levels, particles.total, particles.width});

  const Grid serial(PETSC_COMM_SELF, axes);
  GridField read(serial);
  std::vector<double> particles_expected;
  std::vector<unsigned long long> field_mismatches;
  for (int level = 0; level < levels; ++level) {
    in.read_field("/fp/density", read, level);
    field_mismatches.push_back(mismatches_with_fill(read, level));
    const std::vector<double> rows = particles.all(level);
    particles_expected.insert(particles_expected.end(), rows.begin(), rows.end());
  }
  CHECK(field_mismatches == std::vector<unsigned long long>(levels, 0));
  in.read_field("/fp/density", read); // level -1: the last
  CHECK(mismatches_with_fill(read, levels - 1) == 0);
  CHECK(in.read_array("/sde/particles") == particles_expected);
  CHECK(in.read_rows("/sde/particles", 3, 4, 2) == particle_rows(2, 3, 4, particles.width));
}

TEST_CASE_METHOD(Scratch, "Writing a dataset again overwrites it in place when its shape matches",
                 "[io][mpi]") {
  const std::string path = scratch.file("checkpoint.h5");
  const std::vector<relax::Axis> axes = test::test_axes(3);
  const std::size_t big = 100000; // 800 kB: five copies would make the file > 4 MB
  const int writes = 5;
  const Particles particles(world, 7, 2);
  {
    const Grid grid(world, axes);
    GridField field(grid);
    OutputFile out(world, path, run_attributes());
    for (int k = 0; k < writes; ++k) {
      std::vector<double> values(big);
      for (std::size_t i = 0; i < big; ++i) {
        values[i] = k + 1e-3 * static_cast<double>(i);
      }
      out.write_array("/checkpoint/big", values, {1000, 100});
      fill(field, k);
      out.write_field("/checkpoint/rho", field);
      out.write_rows("/checkpoint/particles", particles.mine(k).data(), particles.count,
                     particles.first, particles.total, particles.width);
    }
    out.write_array("/checkpoint/resized", {1, 2, 3}, {3});
    out.write_array("/checkpoint/resized", {4, 5}, {2}); // another shape: replaced
    out.finish();
  }
  const auto file_bytes = std::filesystem::file_size(path);
  CAPTURE(file_bytes);
  CHECK(file_bytes < 2 * big * sizeof(double));

  const InputFile in(PETSC_COMM_SELF, path);
  const std::vector<double> stored = in.read_array("/checkpoint/big");
  REQUIRE(stored.size() == big);
  CHECK(stored[0] == writes - 1);
  CHECK(stored[big - 1] == (writes - 1) + 1e-3 * static_cast<double>(big - 1));
  CHECK(in.shape("/checkpoint/big") == std::vector<std::size_t>{1000, 100});
  CHECK(in.read_array("/checkpoint/rho") == serial_fill(axes, writes - 1));
  CHECK(in.read_array("/checkpoint/particles") == particles.all(writes - 1));
  CHECK(in.read_rows("/checkpoint/particles", 2, 3) ==
        particle_rows(writes - 1, 2, 3, particles.width));
  CHECK(in.read_array("/checkpoint/resized") == std::vector<double>{4, 5});
}

TEST_CASE_METHOD(Scratch, "Attributes round-trip and the root attributes identify the run",
                 "[io][mpi]") {
  const std::string path = scratch.file("attributes.h5");
  const RunAttributes run{"compare", "[grid]\nn = 64\nlo = -2 # ü\n\n[petsc]\n-fp_ts_type = bdf\n",
                          std::numeric_limits<std::uint64_t>::max()};
  const std::string note = "two\nlines, ünïcode";
  const std::int64_t steps = -9007199254740993; // 2^53 + 1: not a double
  const std::int64_t lowest = std::numeric_limits<std::int64_t>::min();
  {
    OutputFile out(world, path, run);
    out.write_attribute("/", "note", note);
    out.write_attribute("/meta/run", "beta", 1.0 / 3.0); // the group is created on demand
    out.write_attribute("/meta/run", "steps", steps);
    out.write_attribute("/meta/run", "lowest", lowest);
    out.write_array("/meta/values", {1.0, 2.0}, {2});
    out.write_attribute("/meta/values", "unit", std::string("m/s")); // on a dataset
    out.write_attribute("/meta/run", "beta", 0.25);                  // rewritten
    out.finish();
  }
  const InputFile in(PETSC_COMM_SELF, path);
  CHECK(in.read_string_attribute("/", "relax_version") == relax::relax_version);
  CHECK(in.read_string_attribute("/", "command") == run.command);
  CHECK(in.read_string_attribute("/", "config") == run.config);
  CHECK(in.read_int_attribute("/", "nranks") == relax::comm_size(world));
  CHECK(in.read_uint_attribute("/", "seed") == run.seed);
  CHECK_THROWS_AS(in.read_int_attribute("/", "seed"), InputError); // 2^64 - 1 > INT64_MAX
  CHECK(in.read_string_attribute("/", "note") == note);
  CHECK(in.read_double_attribute("/meta/run", "beta") == 0.25);
  CHECK(in.read_int_attribute("/meta/run", "steps") == steps);
  CHECK(in.read_int_attribute("/meta/run", "lowest") == lowest);
  CHECK(in.read_string_attribute("/meta/values", "unit") == "m/s");
  CHECK(in.exists("/meta/run"));
  CHECK_FALSE(in.exists("/meta/none/deeper"));
  CHECK_THROWS_WITH(in.read_double_attribute("/meta/run", "gamma"),
                    Catch::Contains("'gamma'") && Catch::Contains("/meta/run"));
  CHECK_THROWS_AS(in.read_int_attribute("/", "command"), InputError);
  CHECK_THROWS_AS(in.read_string_attribute("/meta/run", "beta"), InputError);
}

TEST_CASE_METHOD(Scratch,
                 "An unwritable output path is an InputError naming it, and nothing is created",
                 "[io][mpi]") {
  if (relax::comm_rank(world) == 0) {
    std::filesystem::create_directory(scratch.file("taken"));
  }
  MPI_Barrier(world);
  // A missing directory, a path that is a directory, and a directory nobody may write to (sysfs
  // refuses new files even to root).
  const std::vector<std::string> paths{scratch.file("missing/run.h5"), scratch.file("taken"),
                                       "/sys/relax-io-test.h5"};
  for (const std::string& path : paths) {
    CAPTURE(path);
    const std::string message =
        input_error([&] { const OutputFile out(world, path, run_attributes()); });
    CAPTURE(message);
    CHECK(contains(message, "'" + path + "'"));
    CHECK_FALSE(contains(message, "\n"));
    CHECK_FALSE(std::filesystem::exists(path + ".part"));
  }
  CHECK(scratch.entries() == std::vector<std::string>{"taken"});
  CHECK(std::filesystem::is_empty(scratch.file("taken")));
}

TEST_CASE_METHOD(Scratch,
                 "Reading a dataset whose shape does not fit is an InputError naming the dataset",
                 "[io][mpi]") {
  const std::string path = scratch.file("shapes.h5");
  const std::vector<relax::Axis> axes = test::test_axes(2);
  {
    const Grid grid(world, axes);
    GridField field(grid);
    fill(field, 0);
    OutputFile out(world, path, run_attributes());
    out.write_field("/fp/rho", field);
    out.append_field("/fp/series", field);
    out.append_field("/fp/series", field);
    out.finish();
  }
  const InputFile in(world, path);
  // The same cell count with the axes swapped, and a grid of another dimension. (A 1D grid of 7
  // cells would read /fp/rho as a series of 5 levels: one more axis than the grid is time.)
  const Grid swapped(world, {axes[1], axes[0]});
  GridField wrong(swapped);
  const std::string expected = "input file '" + path + "': dataset '/fp/rho'";
  CHECK_THROWS_WITH(in.read_field("/fp/rho", wrong),
                    Catch::Contains(expected) && Catch::Contains("(5, 7)"));
  const Grid box(world, test::test_axes(3));
  GridField cube(box);
  CHECK_THROWS_WITH(in.read_field("/fp/rho", cube), Catch::Contains(expected));

  const Grid grid(world, axes);
  GridField right(grid);
  CHECK_THROWS_WITH(in.read_field("/fp/series", right, 2), Catch::Contains("/fp/series"));
  CHECK_THROWS_WITH(in.read_field("/fp/series", right, -3), Catch::Contains("/fp/series"));
  CHECK_THROWS_WITH(in.read_field("/fp/absent", right), Catch::Contains("/fp/absent"));
  CHECK_THROWS_WITH(in.read_rows("/fp/rho", 4, 2), Catch::Contains("/fp/rho"));
  in.read_field("/fp/series", right, -2);
  CHECK(mismatches_with_fill(right, 0) == 0);
}

TEST_CASE_METHOD(Scratch, "A missing, unreadable or non-HDF5 input file is an InputError naming it",
                 "[io][mpi]") {
  const std::string text = scratch.file("text.h5");
  if (relax::comm_rank(world) == 0) {
    std::ofstream(text) << "[grid]\nn = 3\n";
  }
  MPI_Barrier(world);
  for (const std::string& path : {scratch.file("absent.h5"), text, scratch.file("")}) {
    CAPTURE(path);
    const std::string message = input_error([&] { const InputFile in(world, path); });
    CAPTURE(message);
    CHECK(contains(message, "input file '" + path + "'"));
  }
}

TEST_CASE_METHOD(Scratch, "A file abandoned by an exception keeps its data under the final name",
                 "[io][mpi]") {
  const std::string path = scratch.file("failed.h5");
  try {
    OutputFile out(world, path, run_attributes());
    out.append_scalar("/fp/time", 1.5);
    throw relax::NumericalError("diverged"); // thrown collectively, as NumericalError must be
  } catch (const relax::NumericalError&) {
  }
  CHECK_FALSE(std::filesystem::exists(path + ".part"));
  CHECK_FALSE(std::filesystem::exists(scratch.file("failed.xmf"))); // no field series
  const InputFile in(PETSC_COMM_SELF, path);
  CHECK(in.read_array("/fp/time") == std::vector<double>{1.5});
}

namespace {

/// Summary of an XDMF file by tests/io/check_xdmf.py (which also checks its structure), from rank
/// 0 on every rank; "exit N" when the script failed.
std::string xdmf_summary(MPI_Comm comm, const std::string& xmf) {
  return hdf5::message_from_root(comm, [&] {
    const std::string command =
        "/usr/bin/python3 " RELAX_IO_TEST_DIR "/check_xdmf.py '" + xmf + "' 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
      return std::string("popen failed");
    }
    std::string output;
    for (int c = std::fgetc(pipe); c != EOF; c = std::fgetc(pipe)) {
      output += static_cast<char>(c);
    }
    const int status = pclose(pipe);
    return status == 0 ? output : output + "exit " + std::to_string(status);
  });
}

std::string number(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", x);
  return buffer;
}

/// The summary check_xdmf.py prints for one time level of a series on `axes`.
std::string expected_level(const std::vector<relax::Axis>& axes, double time, int level, int levels,
                           const std::string& field, const std::string& dataset) {
  std::string points;
  std::string origin;
  std::string spacing;
  std::string cells;
  for (int a = 2; a >= 0; --a) {
    const bool present = a < static_cast<int>(axes.size());
    const relax::Axis axis = present ? axes[static_cast<std::size_t>(a)] : relax::Axis{};
    points += std::to_string(present ? axis.n + 1 : 1) + (a > 0 ? " " : "");
    origin += number(present ? axis.lo : 0.0) + (a > 0 ? " " : "");
    spacing += number(present ? axis.h() : 1.0) + (a > 0 ? " " : "");
    if (present) {
      cells += " " + std::to_string(axis.n);
    }
  }
  return "grid " + number(time) + " points " + points + " origin " + origin + " spacing " +
         spacing + "\nattribute " + field + " level " + std::to_string(level) + " of " +
         std::to_string(levels) + " cells" + cells + " run.h5:" + dataset + "\n";
}

} // namespace

TEST_CASE_METHOD(Scratch,
                 "The destructor renames the file and writes an XDMF sidecar of the field series",
                 "[io][mpi]") {
  const std::string path = scratch.file("run.h5");
  const std::vector<relax::Axis> plane = test::test_axes(2);
  const std::vector<relax::Axis> line = test::test_axes(1);
  const int levels = 3;
  {
    const Grid grid2(world, plane);
    const Grid grid1(world, line);
    GridField density(grid2);
    GridField u(grid1);
    OutputFile out(world, path, run_attributes());
    for (int level = 0; level < levels; ++level) {
      fill(density, level);
      fill(u, level);
      out.append_field("/fp/density", density);
      out.append_scalar("/fp/time", 1 + 0.25 * level);
      out.append_field("/hj/u", u); // no /hj/time: levels are numbered
      out.flush();
    }
    CHECK(std::filesystem::exists(path + ".part"));
    CHECK_FALSE(std::filesystem::exists(path));
  } // no finish(): the destructor finishes
  CHECK_FALSE(std::filesystem::exists(path + ".part"));
  CHECK(std::filesystem::exists(path));

  std::string expected = "collection fp 3\n";
  for (int level = 0; level < levels; ++level) {
    expected += expected_level(plane, 1 + 0.25 * level, level, levels, "density", "/fp/density");
  }
  expected += "collection hj 3\n";
  for (int level = 0; level < levels; ++level) {
    expected += expected_level(line, level, level, levels, "u", "/hj/u");
  }
  CHECK(xdmf_summary(world, scratch.file("run.xmf")) == expected);
}

TEST_CASE_METHOD(Scratch,
                 "The temporary has its own XDMF sidecar, and finish renames only the file it "
                 "wrote",
                 "[io][mpi]") {
  const Grid grid(world, relax::test::test_axes(1));
  GridField field(grid);
  RELAX_PETSC(VecSet(field.vec(), 1.0));
  const std::string path = scratch.file("run.h5");
  {
    OutputFile out(world, path, run_attributes());
    out.append_scalar("/fp/time", 0.0);
    out.append_field("/fp/density", field);
    out.flush();
    // What a killed run leaves: the .part and a sidecar that opens it, not the final name.
    const std::string sidecar = hdf5::message_from_root(world, [&] {
      std::ifstream in(path + ".part.xmf");
      return std::string(std::istreambuf_iterator<char>(in), {});
    });
    CHECK(sidecar.find("run.h5.part:/fp/density") != std::string::npos);
    out.finish();
  }
  CHECK(std::filesystem::exists(path));
  CHECK_FALSE(std::filesystem::exists(path + ".part.xmf"));
  CHECK(std::filesystem::exists(scratch.file("run.xmf")));

  // Another process replaces the temporary: it is not renamed into place as this run's output.
  const std::string other = scratch.file("other.h5");
  bool threw = false;
  try {
    OutputFile out(world, other, run_attributes());
    out.append_scalar("/fp/time", 0.0);
    out.flush();
    hdf5::message_from_root(world, [&] {
      std::filesystem::remove(other + ".part");
      std::ofstream(other + ".part") << "someone else's";
      return std::string();
    });
    out.finish();
  } catch (const relax::Error& e) {
    threw = std::string(e.what()).find("no longer the file this run wrote") != std::string::npos;
  }
  CHECK(threw);
  CHECK_FALSE(std::filesystem::exists(other));
}
