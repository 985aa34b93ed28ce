#include "sde/ensemble_options.hpp"

#include "core/error.hpp"
#include "core/validate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace relax {

void declare_sde_options(OptionSet& options) {
  options.integer("sde.particles", 100000, "", "number of particles N (global, >= 1)")
      .choice(
          "sde.integrator", "euler_maruyama", {"euler_maruyama", "mala", "baoab", "sgd", "sgld"},
          "Euler-Maruyama (ULA), Metropolis-adjusted Langevin, underdamped BAOAB, or minibatch "
          "SGD / SGLD on landscape.type = wells, least_squares or logistic (rate sde.dt, t = k dt)")
      .integer("sde.batch", 1, "", "sgd, sgld: minibatch size B")
      .boolean("sde.replacement", true,
               "sgd, sgld: draw the B indices with replacement (false: B distinct points)")
      .choice("sde.sgd_rates", "constant", {"constant", "inverse_variance", "inverse_std"},
              "sgd, sgld: per-parameter rates dt, dt/Sigma_ii(theta) or dt/sqrt(Sigma_ii(theta))")
      .real("sde.dt", 1e-3, "time", "time step")
      .integer("sde.seed", 1, "", "seed of the counter-based random streams, in [0, 2^32)")
      .real("sde.friction", 1.0, "1/time", "friction gamma of BAOAB")
      .real("sde.mass", 1.0, "mass", "particle mass m of BAOAB")
      .choice(
          "sde.noise", "double", {"double", "float"},
          "precision of the Gaussian increments (float: faster, |xi| <= 5.89, 2^-24 resolution)")
      .integer("sde.block", 0, "",
               "particles per integrator block (0: automatic); results do not depend on it")
      .boolean("sde.histogram", true,
               "write /sde/histogram on the grid (the marginal of the first grid.dim coordinates)")
      .integer("sde.snapshot_every", 0, "",
               "write all positions to /sde/particles at every k-th output (0: never)")
      .boolean("sde.checkpoint", true, "write /checkpoint at every output, for sde.restart")
      .text("sde.restart", "", "continue from the /checkpoint of this relax sde output file")
      .choice("sde.passage", "none", {"none", "up", "down"},
              "record first passages of x[passage_axis] up through / down through passage_level")
      .integer("sde.passage_axis", 0, "", "coordinate of the passage surface")
      .real("sde.passage_level", 0.0, "length", "level of the passage surface");
}

EnsembleSettings make_ensemble_settings(const Config& config, int dim) {
  EnsembleSettings settings;
  settings.particles = static_cast<std::uint64_t>(config.integer_at_least("sde.particles", 1));
  settings.seed = config.seed("sde.seed");
  IntegratorSettings& integrator = settings.integrator;
  integrator.kind = parse_integrator(config.text("sde.integrator"), "sde.integrator");
  integrator.dt = config.positive_real("sde.dt");
  integrator.friction = config.positive_real("sde.friction");
  integrator.mass = config.positive_real("sde.mass");
  integrator.noise =
      config.text("sde.noise") == "float" ? NoisePrecision::float32 : NoisePrecision::float64;
  integrator.diffusion = make_diffusion(config);
  const bool is_minibatch =
      integrator.kind == IntegratorKind::sgd || integrator.kind == IntegratorKind::sgld;
  for (const char* key : {"sde.batch", "sde.replacement", "sde.sgd_rates"}) {
    if (!is_minibatch && !config.is_default(key)) {
      throw InputError(std::string(key) + " = '" + config.text(key) +
                       "' is for sde.integrator = sgd or sgld, got " +
                       config.text("sde.integrator"));
    }
  }
  integrator.batch = static_cast<std::size_t>(config.integer_at_least("sde.batch", 1));
  integrator.with_replacement = config.boolean("sde.replacement");
  const std::string& rates = config.text("sde.sgd_rates");
  integrator.rates = rates == "inverse_variance" ? SgdRates::inverse_variance
                     : rates == "inverse_std"    ? SgdRates::inverse_std
                                                 : SgdRates::constant;
  settings.block = static_cast<std::size_t>(config.integer_at_least("sde.block", 0));
  const std::string& passage = config.text("sde.passage");
  if (passage != "none") {
    const long axis = config.integer("sde.passage_axis");
    if (axis < 0 || axis >= dim) {
      reject_value("sde.passage_axis", std::to_string(axis),
                   "an axis in [0, " + std::to_string(dim) + ")");
    }
    const double level = config.real("sde.passage_level");
    settings.passage = PassageSurface{static_cast<int>(axis), level, passage == "up"};
  }
  return settings;
}

SdeOutputPlan make_sde_output_plan(const Config& config, const Grid* grid) {
  SdeOutputPlan plan;
  plan.grid = grid;
  plan.snapshot_every = config.integer_at_least("sde.snapshot_every", 0);
  plan.checkpoint = config.boolean("sde.checkpoint");
  return plan;
}

} // namespace relax
