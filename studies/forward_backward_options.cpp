#include "studies/forward_backward_options.hpp"
#include "models/output_times.hpp"

#include "core/error.hpp"
#include "grids/ghosted_values.hpp"
#include "models/expression_landscape.hpp"
#include "models/schedule.hpp"
#include "solvers/fokker_planck_setup.hpp"

#include <cmath>

namespace relax {

void declare_forward_backward_options(OptionSet& options) {
  options.real("fb.c", 1.0, "", "weight c of the control in the drift -h - c alpha and the cost")
      .text("fb.terminal", "",
            "terminal cost V in x, y, z (muParser); empty: V = f, the landscape itself")
      .integer("fb.steps", 200, "", "time levels N of [0, time.end] (dt = time.end / N)")
      .choice("fb.scheme", "beuler", {"beuler", "cn"},
              "time scheme of both sweeps: backward Euler (monotone, first order in dt) or "
              "Crank-Nicolson (second order; the backward step in the log domain, TSCN for the "
              "densities, the trapezoid for the control cost; exit 3 where dt does not resolve)")
      .choice("fb.storage", "auto", {"auto", "all", "checkpoint"},
              "u(., t) levels: all in memory, or sqrt(N) checkpoints and recomputed segments "
              "(auto: all when they fit in 256 MiB per rank)")
      .boolean("fb.finite_difference", true,
               "also solve the HJB by monotone finite differences (prefix fb_hj_) for comparison")
      .integer("fb.particles", 20000, "", "particles of controlled and of plain SGD (0: none)")
      .integer("fb.seed", 1, "", "seed of the particles' random streams, in [0, 2^32)")
      .integer("fb.substeps", 1, "", "Euler-Maruyama steps of the particles per time level");
}

namespace {

std::shared_ptr<const Landscape> make_terminal(const Config& config, const Grid& grid,
                                               std::shared_ptr<const Landscape> f) {
  const std::string& text = config.text("fb.terminal");
  if (text.empty()) {
    return f;
  }
  std::shared_ptr<const Landscape> V;
  try {
    V = std::make_shared<ExpressionLandscape>(text, "", grid.dim());
  } catch (const InputError& e) {
    throw InputError("fb.terminal = '" + text + "': " + e.what());
  }
  GridField values(grid);
  values.fill([&](const double* x) { return V->value(x); });
  if (!is_finite(values)) {
    throw InputError("fb.terminal = '" + text +
                     "': not finite at every cell centre of the grid; expected a finite V");
  }
  return V;
}

} // namespace

ForwardBackwardSettings make_forward_backward_settings(const Config& config, const Grid& grid,
                                                       std::shared_ptr<const Landscape> f) {
  ForwardBackwardSettings settings;
  ControlledSgdProblem& problem = settings.problem;
  const TemperatureSchedule schedule = make_temperature_schedule(config);
  if (!schedule.is_constant()) {
    throw InputError("temperature.schedule = " + config.text("temperature.schedule") +
                     ": relax fb needs a constant temperature");
  }
  problem.beta = schedule.beta(0.0);
  problem.T = config.positive_real("time.end", "a horizon T");
  problem.c = config.positive_real("fb.c", "a control weight c");
  problem.f = f;
  problem.V = make_terminal(config, grid, f);
  check_controlled_sgd_problem(grid, problem);

  ForwardBackwardOptions& options = settings.options;
  options.steps = config.integer_at_least("fb.steps", 1);
  options.scheme = config.text("fb.scheme") == "cn" ? TimeScheme::crank_nicolson
                                                    : TimeScheme::backward_euler;
  const std::string& storage = config.text("fb.storage");
  options.storage = storage == "all"          ? LevelStorage::all
                    : storage == "checkpoint" ? LevelStorage::checkpoint
                                              : LevelStorage::automatic;
  settings.use_finite_difference = config.boolean("fb.finite_difference");
  settings.finite_difference.dt = problem.T / static_cast<double>(options.steps);
  settings.finite_difference.prefix = options.prefix + "hj_";

  settings.particles.particles =
      static_cast<std::uint64_t>(config.integer_at_least("fb.particles", 0));
  settings.particles.seed = config.seed("fb.seed");
  settings.particles.substeps = config.integer_at_least("fb.substeps", 1);

  // Outputs at time levels: t = n T / N to within 1e-9 of a level.
  settings.output_levels.push_back(0);
  const auto steps = static_cast<double>(options.steps);
  for (double t : make_output_times(config)) {
    const double position = t / problem.T * steps;
    const double level = std::round(position);
    if (std::fabs(position - level) > 1e-9) {
      throw InputError("time.output_times: t = " + format_real(t) +
                       " is not on a time level of fb.steps = " + std::to_string(options.steps) +
                       " (expected multiples of " + format_real(problem.T / steps) + ")");
    }
    if (static_cast<long>(level) > settings.output_levels.back()) {
      settings.output_levels.push_back(static_cast<long>(level));
    }
  }
  return settings;
}

} // namespace relax
