// `relax compare`, the main job: the Fokker–Planck density and N particles on one problem, both
// over all ranks. At t = 0 and at every output time it writes /fp and /sde as `relax fp` and
// `relax sde` do, and /compare (the histogram against the density, with the noise level and the
// verdict), printing one table row; at the end the comparison with the stationary density
// (/compare/stationary) and, for a double well, the escape rates (/compare/rates). Exit code 4
// with --fail-on-mismatch when any output disagrees.
#include "app/commands.hpp"
#include "app/common_options.hpp"

#include "core/log.hpp"
#include "core/progress.hpp"
#include "grids/grid_options.hpp"
#include "io/output_file.hpp"
#include "models/landscape_options.hpp"
#include "sde/ensemble_options.hpp"
#include "solvers/compare.hpp"
#include "solvers/compare_setup.hpp"
#include "solvers/fokker_planck_setup.hpp"

#include <cblas.h>

#include <cstdio>

namespace relax::app {

OptionSet compare_options() {
  OptionSet options;
  declare_problem_options(options);
  declare_fokker_planck_options(options);
  declare_sde_options(options);
  declare_compare_options(options);
  declare_output_options(options, "compare.h5");
  options.switch_("fail-on-mismatch",
                  "exit with code 4 when the PDE and the particles disagree at any output");
  // The default problem (README): 10^6 particles in the double well at beta = 1 from a Gaussian in
  // the left well to t = 8 = 6 / lambda1, where both sides are within noise of Gibbs. MALA keeps
  // Gibbs exactly invariant, so the particles have no stationary bias; at dt = 2e-3 their
  // transient bias is below 0.15 of the L1 sampling noise (0.04 from t = 4 on), where
  // Euler-Maruyama at dt = 1e-3 has 0.32 at every time, for the same cost (the L1 of the exact
  // transition kernels on a fine grid against the PDE). Backward Euler at fp.dt = 1e-3 adds
  // ~1e-4 of L1.
  options.set_default("sde.particles", "1000000")
      .set_default("sde.integrator", "mala")
      .set_default("sde.dt", "0.002")
      .set_default("sde.checkpoint", "false")
      .set_default("fp.dt", "0.001")
      .set_default("time.end", "8");
  return options;
}

int run_compare(const Session& session, const Config& config) {
  openblas_set_num_threads(1); // BLAS threads on top of MPI ranks oversubscribe (see fp.cpp)
  // Everything that can reject the input runs before the output file exists.
  const MPI_Comm comm = session.comm();
  const auto landscape = make_landscape(config);
  const Grid grid = make_grid(comm, config, landscape->dim());
  std::string rates_note;
  ComparisonProblem problem = make_comparison_problem(config, landscape, grid.axes(), &rates_note);
  const std::vector<double> output_times = make_output_times(config);
  output_steps(output_times, problem.particles.integrator.dt); // whole steps, or InputError
  const double t_end = output_times.empty() ? 0.0 : output_times.back();
  check_schedule(problem.schedule, t_end);
  check_schedule(problem.particle_schedule, t_end);
  const SdeOutputPlan plan =
      make_sde_output_plan(config, config.boolean("sde.histogram") ? &grid : nullptr);
  ComparisonRun run(grid, std::move(problem));
  const ComparisonProblem& setup = run.problem();

  OutputFile file(comm, config.text("output.file"),
                  {"compare", config.to_ini(), setup.particles.seed});
  file.write_grid(grid);
  file.write_attribute("fp", "landscape", landscape->describe());
  file.write_attribute("fp", "temperature", setup.schedule.describe());
  write_sde_attributes(file, run.ensemble(), setup.particle_schedule);
  write_compare_attributes(file, setup);
  log_info(comm, "compare: " + landscape->describe() + ", " + setup.schedule.describe() + ", " +
                     std::to_string(setup.particles.particles) + " particles (" +
                     to_string(setup.particles.integrator.kind) +
                     ", dt = " + format_real(setup.particles.integrator.dt) + "); agree when " +
                     setup.rule.describe());
  log_info(comm, comparison_table_header());

  long index = 0;
  long disagreements = 0;
  bool warned_outside = false;
  double first_disagreement = 0;
  const auto write_output = [&] {
    append_fokker_planck_output(file, run.solver().diagnostics(run.density()), run.solver().steps(),
                                run.density());
    append_sde_output(file, run.ensemble(), setup.particle_schedule, plan, index++);
    const DensityComparison comparison = run.compare();
    append_compare_output(file, run.time(), comparison);
    log_info(comm, comparison_table_row(run.time(), comparison));
    if (!comparison.agrees && disagreements++ == 0) {
      first_disagreement = run.time();
    }
    if (comparison.outside > 0 && !warned_outside) {
      warned_outside = true;
      log_warning(comm, "a fraction " + format_real(comparison.outside) +
                            " of the particles lies outside the grid box at t = " +
                            format_real(run.time()) +
                            ", where the PDE has no mass (its walls hold it in): widen grid.lo "
                            "and grid.hi");
    }
    return comparison;
  };
  write_output();
  {
    ProgressReporter progress(comm, "compare", t_end);
    for (const double t : output_times) {
      run.advance_to(t); // NumericalError: the file keeps every output written so far
      const DensityComparison comparison = write_output();
      char metric[64];
      std::snprintf(metric, sizeof metric, "L1=%.3e noise=%.3e", comparison.l1, comparison.noise);
      progress.update(run.ensemble().step(), t, metric);
    }
    progress.finish();
  }

  const StationaryComparison stationary = run.compare_to_stationary();
  write_stationary_comparison(file, stationary);
  log_info(comm, stationary_summary(stationary));
  if (setup.wells) {
    const EscapeRates rates = run.escape_rates();
    write_escape_rates(file, rates, setup);
    log_info(comm, escape_rate_summary(rates, setup));
  } else if (!rates_note.empty()) {
    log_info(comm, "no escape rates: " + rates_note);
  }
  file.finish();
  const long outputs = index;
  log_info(comm, disagreements == 0
                     ? "compare: agree within noise at all " + std::to_string(outputs) +
                           " outputs; wrote " + file.path()
                     : "compare: DISAGREE at " + std::to_string(disagreements) + " of " +
                           std::to_string(outputs) + " outputs (first at t = " +
                           format_real(first_disagreement) + "); wrote " + file.path());
  if (disagreements > 0 && config.has_switch("fail-on-mismatch")) {
    if (session.rank() == 0) {
      std::fprintf(stderr,
                   "relax: mismatch: the PDE and the particles disagree at %ld of %ld outputs "
                   "(first at t = %s)\n",
                   disagreements, outputs, format_real(first_disagreement).c_str());
    }
    return 4;
  }
  return 0;
}

} // namespace relax::app
