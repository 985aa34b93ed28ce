#include "grids/grid_options.hpp"

#include "core/error.hpp"

#include <cmath>
#include <limits>
#include <sstream>

namespace relax {

void declare_grid_options(OptionSet& options) {
  // Defaults fit the default problem, the 1D double well (x^2 - 1)^2: its Gibbs density at the
  // default temperature is negligible beyond |x| = 2.5.
  options
      .reals("grid.lo", "-2.5", "",
             "lower bound of the box: one value for every axis or one per axis")
      .reals("grid.hi", "2.5", "",
             "upper bound of the box: one value for every axis or one per axis")
      .integers("grid.n", "200", "",
                "cells per axis (>= 2): one value for every axis or one per axis")
      .text("grid.bc", "reflecting",
            "boundary per axis, reflecting|periodic|absorbing: one for every axis or a comma list");
}

namespace {

/// `values` given once for every axis or once per axis, expanded to one per axis.
template <typename T>
std::vector<T> per_axis(const std::vector<T>& values, const Config& config, const std::string& key,
                        int dim) {
  const auto count = static_cast<std::size_t>(dim);
  if (values.size() == 1) {
    return std::vector<T>(count, values.front());
  }
  if (values.size() != count) {
    throw InputError(
        key + " = '" + config.text(key) + "': expected " +
        (dim == 1 ? std::string("1 value") : "1 or " + std::to_string(dim) + " values"));
  }
  return values;
}

std::vector<std::string> split_items(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    items.push_back(first == std::string::npos ? "" : item.substr(first, last - first + 1));
  }
  if (items.empty() || text.back() == ',') {
    items.emplace_back(); // "" or a trailing comma: an empty item, reported as a bad boundary
  }
  return items;
}

} // namespace

Grid make_grid(MPI_Comm comm, const Config& config, int dim) {
  if (dim < 1 || dim > 3) {
    throw InputError("grid: dimension " + std::to_string(dim) + ": expected 1, 2 or 3");
  }
  const auto lo = per_axis(config.reals("grid.lo"), config, "grid.lo", dim);
  const auto hi = per_axis(config.reals("grid.hi"), config, "grid.hi", dim);
  const auto n = per_axis(config.integers("grid.n"), config, "grid.n", dim);
  const auto bc = per_axis(split_items(config.text("grid.bc")), config, "grid.bc", dim);

  std::vector<Axis> axes(static_cast<std::size_t>(dim));
  for (std::size_t a = 0; a < axes.size(); ++a) {
    if (n[a] < 2 || n[a] > std::numeric_limits<int>::max()) {
      throw InputError(
          "grid.n = '" + config.text("grid.n") + "': expected integers >= 2" +
          (n[a] < 2 ? "" : " and <= " + std::to_string(std::numeric_limits<int>::max())));
    }
    const std::string bounds =
        "grid.lo = '" + config.text("grid.lo") + "', grid.hi = '" + config.text("grid.hi") + "'";
    if (!(lo[a] < hi[a])) {
      throw InputError(bounds + ": expected lo < hi on every axis");
    }
    if (!std::isfinite(hi[a] - lo[a])) {
      throw InputError(bounds + ": expected a finite hi - lo on every axis");
    }
    axes[a] = {lo[a], hi[a], static_cast<int>(n[a]), parse_boundary(bc[a], "grid.bc")};
  }
  return Grid(comm, std::move(axes));
}

} // namespace relax
