#include "models/initial.hpp"

#include "core/error.hpp"

namespace relax {

namespace {

std::vector<double> per_axis(const Config& config, const std::string& key, int dim) {
  std::vector<double> values = config.reals(key);
  if (values.size() == 1) {
    values.assign(static_cast<std::size_t>(dim), values.front());
  }
  if (values.size() != static_cast<std::size_t>(dim)) {
    throw InputError(key + " = '" + config.text(key) + "': expected 1 or " + std::to_string(dim) +
                     " values (one per axis)");
  }
  return values;
}

} // namespace

void declare_initial_options(OptionSet& options) {
  options
      .choice("initial.kind", "gaussian", {"gaussian", "uniform", "point", "file"},
              "initial distribution: Gaussian, uniform on the grid box, point mass, or from a file")
      .reals("initial.mean", "-1", "length",
             "Gaussian mean or point-mass location, one or per axis")
      .reals("initial.std", "0.2", "length", "Gaussian standard deviation, one or per axis")
      .text("initial.file", "", "HDF5 file for kind = file")
      .text("initial.dataset", "",
            "dataset in initial.file: density on the grid, or particles (N, dim)");
}

InitialDistribution make_initial_distribution(const Config& config, int dim) {
  InitialDistribution initial;
  const std::string& kind = config.text("initial.kind");
  initial.kind = kind == "uniform" ? InitialDistribution::Kind::uniform
                 : kind == "point" ? InitialDistribution::Kind::point
                 : kind == "file"  ? InitialDistribution::Kind::file
                                   : InitialDistribution::Kind::gaussian;
  initial.mean = per_axis(config, "initial.mean", dim);
  initial.std = per_axis(config, "initial.std", dim);
  for (double s : initial.std) {
    if (!(s > 0)) {
      throw InputError("initial.std = '" + config.text("initial.std") + "': expected values > 0");
    }
  }
  initial.file = config.text("initial.file");
  initial.dataset = config.text("initial.dataset");
  if (initial.kind == InitialDistribution::Kind::file &&
      (initial.file.empty() || initial.dataset.empty())) {
    throw InputError("initial.kind = file needs initial.file and initial.dataset");
  }
  return initial;
}

} // namespace relax
