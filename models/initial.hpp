// The initial distribution of a run, shared by the PDE (projected onto the grid) and the particles
// (sampled): a Gaussian, uniform on the grid box, a point mass, or data read from an HDF5 file.
#pragma once

#include "core/config.hpp"

#include <string>
#include <vector>

namespace relax {

struct InitialDistribution {
  enum class Kind { gaussian, uniform, point, file };
  Kind kind = Kind::gaussian;
  std::vector<double> mean; ///< dim entries: Gaussian mean, or the point of a point mass
  std::vector<double> std;  ///< dim entries, > 0: Gaussian standard deviation per axis
  std::string file;         ///< HDF5 file (kind file)
  std::string dataset;      ///< dataset in it: a density on the grid (PDE) or particles (N, dim)
};

/// [initial] kind = gaussian|uniform|point|file, mean, std, file, dataset.
void declare_initial_options(OptionSet& options);
/// InputError when mean/std do not have 1 or dim entries or std <= 0.
InitialDistribution make_initial_distribution(const Config& config, int dim);

} // namespace relax
