#include "models/initial.hpp"

#include "core/error.hpp"
#include "core/validate.hpp"

namespace relax {

void declare_initial_options(OptionSet& options) {
  options
      .choice("initial.kind", "gaussian", {"gaussian", "uniform", "point", "file"},
              "initial distribution: Gaussian, uniform on the grid box, point mass, or from a file")
      .reals("initial.mean", "-1", "length",
             "Gaussian mean or point-mass location, one or per axis")
      .reals("initial.std", "0.2", "length", "Gaussian standard deviation, one or per axis")
      .input_file("initial.file", "HDF5 file for kind = file")
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
  initial.mean = config.reals_per_axis("initial.mean", dim, "one per axis");
  initial.std = config.reals_per_axis("initial.std", dim, "one per axis");
  for (double s : initial.std) {
    if (!(s > 0)) {
      reject_value("initial.std", config.text("initial.std"), "values > 0");
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
