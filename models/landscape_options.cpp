#include "models/landscape_options.hpp"

#include "core/error.hpp"
#include "core/validate.hpp"
#include "models/expression_landscape.hpp"
#include "models/landscapes.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

namespace relax {

namespace {

/// The InputError for landscape.dim: "landscape.dim = '3': expected ...".
[[noreturn]] void bad_dim(long dim, const std::string& expected) {
  reject_value("landscape.dim", std::to_string(dim), expected);
}

/// landscape.dim, or `automatic` when it is 0.
int resolved_dim(long dim, std::size_t automatic) {
  return dim == 0 ? static_cast<int>(std::max<std::size_t>(automatic, 1)) : static_cast<int>(dim);
}

std::shared_ptr<const Landscape> make_quadratic(const Config& config, long dim) {
  const std::size_t longest =
      std::max(config.reals("landscape.stiffness").size(), config.reals("landscape.centre").size());
  const int n = resolved_dim(dim, longest);
  return std::make_shared<QuadraticLandscape>(
      config.reals_per_axis("landscape.stiffness", n, "one per axis"),
      config.reals_per_axis("landscape.centre", n, "one per axis"));
}

std::shared_ptr<const Landscape> make_double_well(const Config& config, long dim) {
  const std::vector<double> stiffness = config.reals("landscape.stiffness");
  const int d = resolved_dim(dim, stiffness.size() > 1 ? stiffness.size() + 1 : 1);
  return std::make_shared<DoubleWellLandscape>(d, config.real("landscape.height"),
                                               config.real("landscape.tilt"), stiffness);
}

std::shared_ptr<const Landscape> make_gaussian_mixture(const Config& config, long dim) {
  const std::vector<double> weights = config.reals("landscape.weights");
  const std::vector<double> means = config.reals("landscape.means");
  const std::size_t K = weights.size();
  if (K == 0) {
    reject_value("landscape.weights", "", "one weight > 0 per mixture component");
  }
  if (dim == 0 && (means.empty() || means.size() % K != 0)) {
    reject_value("landscape.means", config.text("landscape.means"),
                 "K x dim values for the K = " + std::to_string(K) +
                     " components of landscape.weights (row-major)");
  }
  const int d = resolved_dim(dim, means.size() / K);
  return std::make_shared<GaussianMixtureLandscape>(
      d, weights, means,
      config.reals_per_axis("landscape.stds", static_cast<int>(K), "one per component"));
}

} // namespace

void declare_landscape_options(OptionSet& options) {
  options
      .choice("landscape.type", "double_well",
              {"double_well", "quadratic", "muller_brown", "gaussian_mixture", "periodic_cosine",
               "rugged", "expression"},
              "the potential f: tilted double well, quadratic (OU), Muller-Brown (2D), Gaussian "
              "mixture, periodic cosine, rugged (1D Entropy-SGD picture), or landscape.expr")
      .integer("landscape.dim", 0, "",
               "dimension; 0 = automatic: 2 for muller_brown, the variables used by an expression, "
               "the per-axis lists otherwise, else 1")
      .real("landscape.height", 1.0, "energy", "double_well: barrier height h of h (x0^2-1)^2")
      .real("landscape.tilt", 0.0, "energy/length", "double_well: tilt t of + t x0")
      .reals("landscape.stiffness", "1", "energy/length^2",
             "quadratic: a_i of a_i (x_i-c_i)^2/2, one or per axis; double_well: k of k x_i^2/2 "
             "for i >= 1, one or per transverse axis")
      .reals("landscape.centre", "0", "length", "quadratic: centre c_i, one or per axis")
      .real("landscape.scale", 0.1, "", "muller_brown: overall factor of the standard potential")
      .real("landscape.amplitude", 1.0, "energy", "periodic_cosine: A of A sum(1 - cos(2 pi x/L))")
      .real("landscape.period", 1.0, "length", "periodic_cosine: period L")
      .reals("landscape.weights", "1", "",
             "gaussian_mixture: K component weights > 0 (normalized to sum 1)")
      .reals("landscape.means", "0", "length",
             "gaussian_mixture: K x dim component means, row-major")
      .reals("landscape.stds", "1", "length",
             "gaussian_mixture: component standard deviations, one or per component")
      .text("landscape.expr", "", "expression: f in x, y, z (muParser), e.g. (x^2-1)^2 + 0.5*y^2")
      .text("landscape.gradient", "",
            "expression: df/dx; df/dy; ... separated by ';' (empty: central differences)")
      .real("landscape.fd_step", 0.0, "length",
            "expression: central-difference step (0: eps^(1/3) max(1,|x_i|))");
}

std::shared_ptr<const Landscape> make_landscape(const Config& config) {
  const std::string& type = config.text("landscape.type");
  const long dim = config.integer("landscape.dim");
  if (dim < 0 || dim > std::numeric_limits<int>::max()) {
    bad_dim(dim, "0 (automatic) or a positive integer");
  }
  if (type == "quadratic") {
    return make_quadratic(config, dim);
  }
  if (type == "muller_brown") {
    if (dim != 0 && dim != 2) {
      bad_dim(dim, "2 (or 0) for landscape.type = muller_brown");
    }
    return std::make_shared<MullerBrownLandscape>(config.real("landscape.scale"));
  }
  if (type == "gaussian_mixture") {
    return make_gaussian_mixture(config, dim);
  }
  if (type == "periodic_cosine") {
    return std::make_shared<PeriodicCosineLandscape>(
        resolved_dim(dim, 1), config.real("landscape.amplitude"), config.real("landscape.period"));
  }
  if (type == "rugged") {
    if (dim != 0 && dim != 1) {
      bad_dim(dim, "1 (or 0) for landscape.type = rugged");
    }
    return std::make_shared<RuggedLandscape>();
  }
  if (type == "expression") {
    if (dim > 3) {
      bad_dim(dim, "0 (inferred) or 1..3 for an expression in x, y, z");
    }
    return std::make_shared<ExpressionLandscape>(
        config.text("landscape.expr"), config.text("landscape.gradient"), static_cast<int>(dim),
        config.real("landscape.fd_step"));
  }
  return make_double_well(config, dim);
}

} // namespace relax
