// Small landscapes and helpers shared by the Fokker–Planck tests. The landscapes are written here
// (not taken from the models/ factory) so that each test controls its closed form exactly.
#pragma once

#include "core/error.hpp"
#include "core/petsc_handle.hpp"
#include "grids/grid.hpp"
#include "models/landscape.hpp"

#include <catch2/catch.hpp>
#include <petscsys.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace relax::test {

/// f(x) = (a/2) |x - c|^2 in `d` dimensions: the Ornstein–Uhlenbeck potential.
class Quadratic final : public Landscape {
public:
  Quadratic(int d, double a, double c) : d_(d), a_(a), c_(c) {}
  int dim() const override { return d_; }
  std::string describe() const override { return "test quadratic"; }
  double value(const double* x) const override {
    double f = 0;
    for (int k = 0; k < d_; ++k) {
      f += 0.5 * a_ * (x[k] - c_) * (x[k] - c_);
    }
    return f;
  }
  double gradient(const double* x, double* g) const override {
    for (int k = 0; k < d_; ++k) {
      g[k] = a_ * (x[k] - c_);
    }
    return value(x);
  }

private:
  int d_;
  double a_;
  double c_;
};

/// f = (x0^2 - 1)^2 + tilt x0 + (1/2) sum_{k>0} (x_k - coupling x0)^2: a tilted double well along
/// x0, coupled (non-separable) to harmonic transverse directions.
class TiltedDoubleWell final : public Landscape {
public:
  TiltedDoubleWell(int d, double tilt, double coupling = 0.3)
      : d_(d), tilt_(tilt), coupling_(coupling) {}
  int dim() const override { return d_; }
  std::string describe() const override { return "test tilted double well"; }
  double value(const double* x) const override {
    double f = (x[0] * x[0] - 1) * (x[0] * x[0] - 1) + tilt_ * x[0];
    for (int k = 1; k < d_; ++k) {
      f += 0.5 * (x[k] - coupling_ * x[0]) * (x[k] - coupling_ * x[0]);
    }
    return f;
  }
  double gradient(const double* x, double* g) const override {
    g[0] = 4 * x[0] * (x[0] * x[0] - 1) + tilt_;
    for (int k = 1; k < d_; ++k) {
      g[k] = x[k] - coupling_ * x[0];
      g[0] -= coupling_ * g[k];
    }
    return value(x);
  }

private:
  int d_;
  double tilt_;
  double coupling_;
};

/// A smooth 2pi-periodic landscape in 2D: f = cos x + 0.5 sin y + 0.3 cos(x + y).
class PeriodicLandscape final : public Landscape {
public:
  int dim() const override { return 2; }
  std::string describe() const override { return "test periodic"; }
  double value(const double* x) const override {
    return std::cos(x[0]) + 0.5 * std::sin(x[1]) + 0.3 * std::cos(x[0] + x[1]);
  }
  double gradient(const double* x, double* g) const override {
    g[0] = -std::sin(x[0]) - 0.3 * std::sin(x[0] + x[1]);
    g[1] = 0.5 * std::cos(x[1]) - 0.3 * std::sin(x[0] + x[1]);
    return value(x);
  }
};

/// A density on a 1D grid from its values at every cell centre of the whole line (each rank fills
/// the cells it owns), normalized to mass 1 by the midpoint rule: what the tests compare a zero-flux
/// recursion with.
inline GridField normalized_line(const Grid& grid, const std::vector<double>& line) {
  const double h = grid.axis(0).h();
  double mass = 0;
  for (const double v : line) {
    mass += v * h;
  }
  GridField field(grid);
  petsc::VecArray values(field.vec());
  grid.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
    values[offset] = line[static_cast<std::size_t>(index[0])] / mass;
  });
  return field;
}

inline Axis make_axis(double lo, double hi, int n, Boundary boundary = Boundary::reflecting) {
  Axis axis;
  axis.lo = lo;
  axis.hi = hi;
  axis.n = n;
  axis.boundary = boundary;
  return axis;
}

/// PETSc options (for a test's own prefix) set while the object lives, removed again when the test
/// ends.
class ScopedOptions {
public:
  explicit ScopedOptions(std::vector<std::pair<std::string, std::string>> options)
      : options_(std::move(options)) {
    for (const auto& [name, value] : options_) {
      RELAX_PETSC(PetscOptionsSetValue(nullptr, name.c_str(), value.c_str()));
    }
  }
  ~ScopedOptions() {
    for (const auto& option : options_) {
      PetscOptionsClearValue(nullptr, option.first.c_str());
    }
  }
  ScopedOptions(const ScopedOptions&) = delete;
  ScopedOptions& operator=(const ScopedOptions&) = delete;

private:
  std::vector<std::pair<std::string, std::string>> options_;
};

/// Checks that the orders log2(e[k]/e[k+1]) of errors from halved resolutions all lie in
/// [lo, hi], printing errors and orders.
inline void check_orders(const std::string& what, const std::vector<double>& errors, double lo,
                         double hi) {
  for (std::size_t k = 0; k + 1 < errors.size(); ++k) {
    const double order = std::log2(errors[k] / errors[k + 1]);
    INFO(what << ": errors " << errors[k] << " -> " << errors[k + 1] << ", order " << order);
    CHECK(order >= lo);
    CHECK(order <= hi);
  }
}

/// The owned values of a field, in memory order.
inline std::vector<double> owned_values(const GridField& field) {
  const petsc::ConstVecArray values(field.vec());
  return {values.begin(), values.end()};
}

} // namespace relax::test
