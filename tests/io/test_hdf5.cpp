#include "core/error.hpp"
#include "io/hdf5.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

namespace hdf5 = relax::hdf5;

namespace {

/// Runs `f` with file descriptor 2 redirected to a temporary file; returns what was written there.
template <typename F> std::string captured_stderr(F&& f) {
  std::fflush(stderr);
  FILE* sink = std::tmpfile();
  const int saved = dup(2);
  dup2(fileno(sink), 2);
  try {
    f();
  } catch (...) {
    std::fflush(stderr);
    dup2(saved, 2);
    close(saved);
    std::fclose(sink);
    throw;
  }
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::string text;
  std::rewind(sink);
  for (int c = std::fgetc(sink); c != EOF; c = std::fgetc(sink)) {
    text += static_cast<char>(c);
  }
  std::fclose(sink);
  return text;
}

} // namespace

TEST_CASE("A failing HDF5 call throws Error with HDF5's error stack on one line, printing nothing",
          "[io]") {
  hdf5::silence_error_printing();
  std::string message;
  const std::string printed = captured_stderr([&] {
    try {
      hdf5::File file(
          RELAX_HDF5(H5Fopen("/nonexistent-relax-dir/run.h5", H5F_ACC_RDONLY, H5P_DEFAULT)));
    } catch (const relax::Error& e) {
      message = e.what();
    }
  });
  CAPTURE(message);
  CHECK(printed.empty());
  CHECK(message.rfind("HDF5 error: H5Fopen(): ", 0) == 0);
  CHECK(message.find("/nonexistent-relax-dir/run.h5") != std::string::npos); // from the driver
  CHECK(message.find("(in H5Fopen(") != std::string::npos);
  CHECK(message.find('\n') == std::string::npos);
  // The stack was cleared: a later message does not repeat this failure.
  CHECK(hdf5::error_stack_message() == "no HDF5 error message");
}

TEST_CASE("HDF5 handles are move-only owners that close their identifier", "[io]") {
  hdf5::PropertyList a(RELAX_HDF5(H5Pcreate(H5P_DATASET_XFER)));
  const hid_t id = a.get();
  CHECK(H5Iis_valid(id) > 0);
  hdf5::PropertyList b = std::move(a);
  CHECK_FALSE(a);
  CHECK(b.get() == id);
  b = hdf5::PropertyList(RELAX_HDF5(H5Pcreate(H5P_DATASET_XFER))); // closes the first
  CHECK(H5Iis_valid(id) <= 0);
  const hid_t second = b.get();
  b.reset();
  CHECK_FALSE(b);
  CHECK(H5Iis_valid(second) <= 0);
}

TEST_CASE("Series chunks hold one level of a large field and many levels of small data", "[io]") {
  const std::size_t cap = std::size_t{1} << 20;
  auto bytes = [](const std::vector<hsize_t>& chunk) {
    std::size_t b = sizeof(double);
    for (hsize_t n : chunk) {
      b *= static_cast<std::size_t>(n);
    }
    return b;
  };
  SECTION("a 2048 x 2048 field: one level per chunk, split along the slowest axis") {
    const std::vector<hsize_t> chunk = hdf5::series_chunk({2048, 2048}, cap);
    CAPTURE(chunk);
    REQUIRE(chunk.size() == 3);
    CHECK(chunk[0] == 1);
    CHECK(chunk[2] == 2048);       // rows stay whole: contiguous in memory order
    CHECK(bytes(chunk) <= cap);    // within the cap
    CHECK(bytes(chunk) > cap / 2); // halving stops as soon as it fits
  }
  SECTION("a 512^3 field is split along z, then y") {
    const std::vector<hsize_t> chunk = hdf5::series_chunk({512, 512, 512}, cap);
    CAPTURE(chunk);
    CHECK(chunk == std::vector<hsize_t>{1, 1, 256, 512});
  }
  SECTION("scalars and short rows: many levels per chunk, at most 64 KiB") {
    const std::vector<hsize_t> scalar = hdf5::series_chunk({}, cap);
    const std::vector<hsize_t> row = hdf5::series_chunk({100}, cap);
    CAPTURE(scalar, row);
    CHECK(scalar == std::vector<hsize_t>{256});
    CHECK(row.size() == 2);
    CHECK(row[1] == 100);
    CHECK(row[0] > 1);
    CHECK(bytes(row) <= 64 * 1024);
  }
  SECTION("empty levels still get a valid chunk") {
    CHECK(hdf5::series_chunk({0, 3}, cap) == std::vector<hsize_t>{256, 1, 3});
  }
}

TEST_CASE("Dataset paths are made absolute and split at their group", "[io]") {
  CHECK(hdf5::absolute_path("fp/density") == "/fp/density");
  CHECK(hdf5::absolute_path("/fp/density/") == "/fp/density");
  CHECK(hdf5::absolute_path("") == "/");
  CHECK(hdf5::parent_path("/fp/density") == "/fp");
  CHECK(hdf5::parent_path("/time") == "/");
}
