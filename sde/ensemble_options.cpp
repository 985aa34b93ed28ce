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
          "sde.integrator", "euler_maruyama",
          {"euler_maruyama", "mala", "baoab", "sgd", "sgld", "psgld", "sghmc", "ctld",
           "entropy_sgd", "parle"},
          "Euler-Maruyama (ULA), Metropolis-adjusted Langevin, underdamped BAOAB, or a learning "
          "sampler: minibatch SGD, SGLD (minibatch gradients on landscape.type = wells, "
          "least_squares or logistic, else the exact gradient: Euler-Maruyama), pSGLD, SGHMC, CTLD "
          "(rate sde.dt, t = k dt), Entropy-SGD or Parle (one step an outer step, t = k dt the "
          "time of the gradient flow on the local entropy)")
      .integer("sde.batch", 1, "", "sgd, sgld on a finite-sum landscape: minibatch size B")
      .boolean("sde.replacement", true,
               "sgd, sgld: draw the B indices with replacement (false: B distinct points)")
      .choice("sde.sgd_rates", "constant", {"constant", "inverse_variance", "inverse_std"},
              "sgd, sgld: per-parameter rates dt, dt/Sigma_ii(theta) or dt/sqrt(Sigma_ii(theta))")
      .real("sde.dt", 1e-3, "time", "time step")
      .integer("sde.seed", 1, "", "seed of the counter-based random streams, in [0, 2^32)")
      .real("sde.friction", 1.0, "1/time", "friction gamma of BAOAB, SGHMC and CTLD")
      .real("sde.mass", 1.0, "mass", "particle mass m of BAOAB and SGHMC")
      .integer("sde.replicas", 2, "", "parle: replicas per particle, coupled to their mean")
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
      .restart_file("sde.restart", "continue from the /checkpoint of this relax sde output file")
      .choice("sde.passage", "none", {"none", "up", "down"},
              "record first passages of x[passage_axis] up through / down through passage_level")
      .integer("sde.passage_axis", 0, "", "coordinate of the passage surface")
      .real("sde.passage_level", 0.0, "length", "level of the passage surface")
      .boolean("sde.passage_times", false,
               "with a passage surface, also write every particle's first passage time to "
               "/sde/passage_time (N values, rewritten at every output)");
  declare_rmsprop_options(options);
  declare_ctld_tempering_options(options);
  declare_entropy_options(options);
}

namespace {

/// The keys an integrator reads besides sde.dt; a key of this list set for an integrator that
/// does not read it is an input error.
std::vector<std::string> integrator_keys(IntegratorKind kind) {
  switch (kind) {
  case IntegratorKind::baoab:
  case IntegratorKind::sghmc:
    return {"sde.friction", "sde.mass"};
  case IntegratorKind::psgld:
    return {"rmsprop.alpha", "rmsprop.eps"};
  case IntegratorKind::ctld: {
    std::vector<std::string> keys = ctld_tempering_keys();
    keys.push_back("sde.friction");
    return keys;
  }
  case IntegratorKind::sgd:
  case IntegratorKind::sgld:
    return {"sde.batch", "sde.replacement", "sde.sgd_rates"};
  case IntegratorKind::entropy_sgd: {
    std::vector<std::string> keys = entropy_keys();
    keys.erase(std::find(keys.begin(), keys.end(), "parle.elastic"));
    return keys;
  }
  case IntegratorKind::parle: {
    std::vector<std::string> keys = entropy_keys();
    keys.push_back("sde.replicas");
    return keys;
  }
  case IntegratorKind::euler_maruyama:
  case IntegratorKind::mala:
    break;
  }
  return {};
}

constexpr IntegratorKind all_integrator_kinds[] = {
    IntegratorKind::euler_maruyama, IntegratorKind::mala,
    IntegratorKind::baoab,          IntegratorKind::sgd,
    IntegratorKind::sgld,           IntegratorKind::psgld,
    IntegratorKind::sghmc,          IntegratorKind::ctld,
    IntegratorKind::entropy_sgd,    IntegratorKind::parle};

void reject_unread_integrator_keys(const Config& config, IntegratorKind kind) {
  std::vector<std::string> all;
  for (const IntegratorKind other : all_integrator_kinds) {
    const std::vector<std::string> keys = integrator_keys(other);
    all.insert(all.end(), keys.begin(), keys.end());
  }
  config.reject_unread(all, integrator_keys(kind), "sde.integrator = " + to_string(kind));
}

} // namespace

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
  reject_unread_integrator_keys(config, integrator.kind);
  if (integrator.kind == IntegratorKind::psgld) {
    integrator.second_moment = make_second_moment(config);
  }
  if (integrator.kind == IntegratorKind::ctld) {
    integrator.ctld = make_ctld_tempering(config);
  }
  if (integrator.kind == IntegratorKind::entropy_sgd || integrator.kind == IntegratorKind::parle) {
    integrator.entropy = make_entropy_parameters(config);
    integrator.replicas = static_cast<std::size_t>(config.integer_at_least("sde.replicas", 1));
  }
  integrator.diffusion = make_diffusion(config);
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
  plan.passage_times = config.boolean("sde.passage_times");
  return plan;
}

} // namespace relax
