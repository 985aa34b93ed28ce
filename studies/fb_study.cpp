#include "studies/fb_study.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "core/setup_checks.hpp"
#include "grids/grid_options.hpp"
#include "grids/histogram.hpp"
#include "io/output_file.hpp"
#include "models/initial.hpp"
#include "models/landscape_options.hpp"
#include "models/output_times.hpp"
#include "models/schedule.hpp"
#include "solvers/fokker_planck_setup.hpp"
#include "solvers/forward_backward.hpp"
#include "studies/forward_backward_options.hpp"
#include "studies/forward_backward_particles.hpp"

#include <cblas.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

namespace relax {

OptionSet fb_study_options() {
  OptionSet options;
  declare_landscape_options(options);
  declare_grid_options(options);
  declare_temperature_options(options);
  declare_initial_options(options);
  declare_time_options(options);
  declare_forward_backward_options(options);
  declare_output_options(options, "fb.h5");
  return options;
}

namespace {

std::string table_row(const std::string& name, double pde, const ParticleEstimate* particles) {
  char line[160];
  if (particles == nullptr) {
    std::snprintf(line, sizeof line, "  %-44s %14.8f\n", name.c_str(), pde);
  } else {
    std::snprintf(line, sizeof line, "  %-44s %14.8f %14.8f +- %.2e\n", name.c_str(), pde,
                  particles->mean, particles->standard_error);
  }
  return line;
}

/// Particle histograms against the PDE densities, one level of /fb/particles.
void append_particle_output(OutputFile& file, const Grid& grid,
                            const ControlledParticles& particles, const GridField& rho_csgd,
                            const GridField& rho_sgd) {
  std::vector<double> pvalue;
  std::vector<double> l1;
  std::vector<double> noise;
  const std::pair<const ParticleEnsemble*, const GridField*> sides[2] = {
      {&particles.controlled(), &rho_csgd}, {&particles.uncontrolled(), &rho_sgd}};
  for (const auto& [ensemble, rho] : sides) {
    const Histogram histogram = ensemble->histogram(grid);
    const GridField density = histogram.density();
    file.append_field(ensemble == sides[0].first ? "fb/particles/histogram_csgd"
                                                 : "fb/particles/histogram_sgd",
                      density);
    pvalue.push_back(chi_square(histogram, *rho).pvalue);
    l1.push_back(l1_distance(density, *rho));
    noise.push_back(expected_l1_noise(*rho, histogram.total()));
  }
  file.append_row("fb/particles/chi2_pvalue", pvalue);
  file.append_row("fb/particles/l1", l1);
  file.append_row("fb/particles/l1_noise", noise);
}

/// Collective: the attributes of /fb and the fields f and V.
void write_problem(OutputFile& file, const Grid& grid, const Landscape& landscape,
                   const ControlledSgdProblem& problem, const ValueFunction& value,
                   std::uint64_t particles) {
  file.write_grid(grid);
  file.set_series_axis("fb", "fb/time");
  const std::string density = density_units(grid.dim());
  file.describe_all("fb", {{"f", {"landscape f", "energy"}},
                           {"V", {"terminal cost V", "energy"}},
                           {"time", {"time", "time"}},
                           {"u", {"value function u(., t) by Cole-Hopf", "energy"}},
                           {"u_fd", {"value function by monotone finite differences", "energy"}},
                           {"fd_difference", {"max |u - u_fd|", "energy"}},
                           {"density_csgd", {"density of controlled SGD", density}},
                           {"density_sgd", {"density of plain SGD", density}},
                           {"doob", {"Doob-transform prediction phi q", density}},
                           {"doob_l1", {"L1 distance of doob and density_csgd", "1"}},
                           {"control_cost", {"(c/2) int_0^t int |alpha|^2 rho_csgd", "energy"}},
                           {"expected_V_csgd", {"int V rho_csgd(t)", "energy"}},
                           {"expected_V_sgd", {"int V rho_sgd(t)", "energy"}},
                           {"theorem7",
                            {"Theorem 7: rows J0, E[V], cost, E[V] + cost, E[V_sgd]; "
                             "columns PDE, particle mean, standard error",
                             "energy"}}});
  file.describe_all("fb/particles",
                    {{"histogram_csgd", {"particle histogram of controlled SGD", density}},
                     {"histogram_sgd", {"particle histogram of plain SGD", density}},
                     {"chi2_pvalue", {"chi-square p-value of each histogram", "1"}},
                     {"l1", {"L1 distance of each histogram to its density", "1"}},
                     {"l1_noise", {"expected L1 of sampling noise alone", "1"}}});
  for (const char* table : {"chi2_pvalue", "l1", "l1_noise"}) {
    file.name_axis(std::string("fb/particles/") + table, 1, "side", {"csgd", "sgd"});
  }
  file.name_axis("fb/theorem7", 0, "quantity",
                 {"J0", "E[V(x_csgd(T))]", "control_cost", "E[V]+cost", "E[V(x_sgd(T))]"});
  file.name_axis("fb/theorem7", 1, "estimate", {"pde", "particle_mean", "standard_error"});
  file.write_attribute("fb", "landscape", landscape.describe());
  file.write_attribute("fb", "terminal", problem.V->describe());
  file.write_attribute("fb", "beta", problem.beta);
  file.write_attribute("fb", "c", problem.c);
  file.write_attribute("fb", "T", problem.T);
  file.write_attribute("fb", "steps", static_cast<std::int64_t>(value.steps()));
  file.write_attribute("fb", "storage", value.is_checkpointed() ? "checkpoint" : "all");
  file.write_attribute("fb", "held_levels", static_cast<std::int64_t>(value.held_levels()));
  file.write_attribute("fb", "particles", static_cast<std::int64_t>(particles));
  GridField f_field(grid);
  f_field.fill([&](const double* x) { return landscape.value(x); });
  file.write_field("fb/f", f_field);
  GridField V_field(grid);
  V_field.fill([&](const double* x) { return problem.V->value(x); });
  file.write_field("fb/V", V_field);
}

/// Collective: /fb/theorem7 (rows J0, E[V(x_csgd(T))], control cost, E[V] + cost, E[V(x_sgd(T))];
/// columns PDE, particle mean, standard error); returns the table as printed.
std::string write_theorem7(OutputFile& file, const ForwardBackwardQuantities& q,
                           const std::optional<ParticleQuantities>& p,
                           const ControlledSgdProblem& problem, long levels,
                           std::uint64_t particles) {
  const double none = std::numeric_limits<double>::quiet_NaN();
  const auto column = [&](const ParticleEstimate ParticleQuantities::*member) {
    return p ? &((*p).*member) : nullptr;
  };
  const double pde[5] = {q.J0, q.expected_V_csgd, q.control_cost,
                         q.expected_V_csgd + q.control_cost, q.expected_V_sgd};
  const ParticleEstimate* estimates[5] = {
      column(&ParticleQuantities::total), column(&ParticleQuantities::expected_V_csgd),
      column(&ParticleQuantities::control_cost), column(&ParticleQuantities::total),
      column(&ParticleQuantities::expected_V_sgd)};
  const char* names[5] = {"J0 = int u(x,0) rho0 (particles: E[V]+cost)", "E[V(x_csgd(T))]",
                          "(c/2) E int_0^T |alpha|^2 ds", "E[V(x_csgd(T))] + control cost",
                          "E[V(x_sgd(T))]"};
  std::vector<double> table;
  std::string text =
      "Theorem 7 (T = " + format_real(problem.T) + ", beta = " + format_real(problem.beta) +
      ", c = " + format_real(problem.c) + ", " + std::to_string(levels) + " levels" +
      (p ? ", " + std::to_string(particles) + " particles" : "") + ")\n" + "  " +
      std::string(44, ' ') + "            PDE" + (p ? "      particles +- 1 SE" : "") + "\n";
  for (int row = 0; row < 5; ++row) {
    text += table_row(names[row], pde[row], estimates[row]);
    table.push_back(pde[row]);
    table.push_back(estimates[row] != nullptr ? estimates[row]->mean : none);
    table.push_back(estimates[row] != nullptr ? estimates[row]->standard_error : none);
  }
  char summary[200];
  std::snprintf(summary, sizeof summary,
                "  identity defect J0 - (E[V] + cost) = %.3e; expected improvement "
                "E[V(x_sgd(T))] - J0 = %.6f\n",
                q.identity_defect(), q.expected_V_sgd - q.J0);
  text += summary;
  file.write_array("fb/theorem7", table, {5, 3});
  file.write_attribute("fb/theorem7", "rows",
                       "J0, E[V(x_csgd(T))], control cost, E[V(x_csgd(T))] + control cost, "
                       "E[V(x_sgd(T))]");
  file.write_attribute("fb/theorem7", "columns", "PDE, particle mean, particle standard error");
  return text;
}

} // namespace

void run_fb_study(MPI_Comm comm, const Config& config) {
  openblas_set_num_threads(1); // BLAS threads on top of MPI ranks oversubscribe (fokker_planck_run)
  // Everything that can reject the input runs before the output file exists.
  const auto landscape = make_landscape(config, whole_dataset_reader(comm));
  if (landscape->dim() > 2) {
    throw InputError("landscape.dim = " + std::to_string(landscape->dim()) +
                     ": relax fb runs in 1 or 2 dimensions");
  }
  const Grid grid = make_grid(comm, config, landscape->dim());
  const ForwardBackwardSettings settings = make_forward_backward_settings(config, grid, landscape);
  const ControlledSgdProblem& problem = settings.problem;
  const InitialDistribution initial = make_initial_distribution(config, grid.dim());
  const GridField rho0 = project_initial_density(grid, initial);
  std::optional<ControlledParticles> particles;
  if (settings.particles.particles > 0) {
    particles.emplace(grid, problem, initial, settings.particles, settings.options.steps);
  }

  ForwardBackwardSolver solver(grid, problem, rho0, settings.options); // the backward sweep
  ValueFunction& value = solver.value_function();
  std::vector<GridField> u_fd;
  if (settings.use_finite_difference) {
    std::vector<double> times;
    for (long n : settings.output_levels) {
      times.push_back(value.time(n));
    }
    u_fd = solve_backward_hjb(grid, problem, times, settings.finite_difference);
  }

  finish_setup(config);
  OutputFile file(comm, config.text("output.file"),
                  {"fb", config.to_ini(), settings.particles.seed});
  write_problem(file, grid, *landscape, problem, value, settings.particles.particles);
  std::size_t output = 0;
  const auto write_level = [&] {
    const GridField& u = solver.u();
    const ForwardBackwardQuantities q = solver.quantities();
    const GridField doob = solver.doob_prediction();
    file.append_scalar("fb/time", solver.time());
    file.append_field("fb/u", u);
    file.append_field("fb/density_csgd", solver.rho_csgd());
    file.append_field("fb/density_sgd", solver.rho_sgd());
    file.append_field("fb/doob", doob);
    file.append_scalar("fb/doob_l1", l1_distance(doob, solver.rho_csgd()));
    file.append_scalar("fb/control_cost", q.control_cost);
    file.append_scalar("fb/expected_V_csgd", q.expected_V_csgd);
    file.append_scalar("fb/expected_V_sgd", q.expected_V_sgd);
    if (!u_fd.empty()) {
      file.append_field("fb/u_fd", u_fd[output]);
      file.append_scalar("fb/fd_difference", linf_distance(u, u_fd[output]));
    }
    if (particles) {
      append_particle_output(file, grid, *particles, solver.rho_csgd(), solver.rho_sgd());
    }
    file.flush();
    ++output;
  };
  write_level();
  ProgressReporter progress(comm, "fb", problem.T);
  while (solver.level() < solver.steps()) {
    if (particles) {
      const auto levels = solver.control_interval();
      particles->step(*levels.first, *levels.second);
    }
    solver.step(); // NumericalError: the file keeps every level written so far
    if (output < settings.output_levels.size() &&
        solver.level() == settings.output_levels[output]) {
      write_level();
    }
    progress.update(solver.level(), solver.time());
  }
  progress.finish();

  const std::optional<ParticleQuantities> p =
      particles ? std::optional<ParticleQuantities>(particles->quantities()) : std::nullopt;
  const std::string text = write_theorem7(file, solver.quantities(), p, problem, value.steps(),
                                          settings.particles.particles);
  file.finish();
  log_info(comm, text + "fb: wrote " + file.path());
}

} // namespace relax
