// Shared by the io tests: a scratch directory every rank agrees on, and analytic fields whose
// values differ along every axis, so a transposed or shifted hyperslab cannot pass.
#pragma once

#include "grids/grid.hpp"
#include "io/hdf5.hpp"

#include <mpi.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace relax::test {

/// Collective: a fresh directory under /tmp, removed (with its contents) by the destructor.
class ScratchDir {
public:
  explicit ScratchDir(MPI_Comm comm) : comm_(comm) {
    path_ = hdf5::message_from_root(comm, [] {
      std::string pattern = "/tmp/relax-io-XXXXXX";
      return mkdtemp(pattern.data()) != nullptr ? pattern : std::string();
    });
    if (path_.empty()) { // on every rank: they share rank 0's verdict
      throw std::runtime_error("cannot create a scratch directory under /tmp");
    }
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    MPI_Barrier(comm_);
    int rank = 0;
    MPI_Comm_rank(comm_, &rank);
    if (rank == 0) {
      std::error_code ignored;
      std::filesystem::remove_all(path_, ignored);
    }
  }

  std::string file(const std::string& name) const { return path_ + "/" + name; }
  /// Names of the entries in the directory, sorted.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(path_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

private:
  MPI_Comm comm_;
  std::string path_;
};

/// Asymmetric boxes with a different cell count per axis.
inline std::vector<Axis> test_axes(int dim) {
  const std::vector<Axis> all{{-1.5, 2.25, 7, Boundary::reflecting},
                              {0.125, 3.0, 5, Boundary::periodic},
                              {-4.0, -1.0, 4, Boundary::absorbing}};
  return {all.begin(), all.begin() + dim};
}

/// A value that changes along every axis and with the time level.
inline double analytic(const double* x, int dim, int level) {
  double value = std::exp(0.3 * x[0]) + level;
  if (dim > 1) {
    value += 10 * std::sin(x[1]);
  }
  if (dim > 2) {
    value += 100 * x[2] * x[2];
  }
  return value;
}

/// Number of positions where `a` and `b` differ in any bit (sizes must agree).
inline std::size_t bit_mismatches(const double* a, const double* b, std::size_t n) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::memcmp(a + i, b + i, sizeof(double)) != 0) {
      ++count;
    }
  }
  return count;
}

} // namespace relax::test
