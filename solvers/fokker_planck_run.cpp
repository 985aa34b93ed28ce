#include "solvers/fokker_planck_run.hpp"

#include "core/log.hpp"
#include "core/progress.hpp"
#include "core/setup_checks.hpp"
#include "grids/grid_options.hpp"
#include "io/output_file.hpp"
#include "models/drift.hpp"
#include "models/initial.hpp"
#include "models/landscape_options.hpp"
#include "models/output_times.hpp"
#include "models/problem_options.hpp"
#include "models/schedule.hpp"
#include "solvers/fokker_planck.hpp"
#include "solvers/fokker_planck_setup.hpp"

#include <cblas.h>

#include <cstdio>

namespace relax {

OptionSet fokker_planck_run_options() {
  OptionSet options;
  declare_problem_options(options);
  declare_fokker_planck_options(options);
  declare_time_options(options);
  declare_output_options(options, "fp.h5");
  options.switch_("stationary", "write the stationary state at beta(0) instead of a time run");
  return options;
}

void run_fokker_planck(MPI_Comm comm, const Config& config) {
  // PETSc's vector kernels call BLAS; OpenBLAS threads on top of MPI ranks (or of a loaded
  // machine) oversubscribe the cores: a VecNorm of 40000 entries took 4 ms instead of 20 us.
  openblas_set_num_threads(1);
  const auto landscape = make_landscape(config, whole_dataset_reader(comm));
  const Grid grid = make_grid(comm, config, landscape->dim());
  const Drift drift = make_drift(config, landscape);
  const TemperatureSchedule schedule = make_temperature_schedule(config);
  const bool is_stationary = config.has_switch("stationary");
  const std::vector<double> output_times = make_output_times(config);
  check_schedule(schedule, is_stationary ? 0.0 : config.real("time.end"));
  FokkerPlanckOptions options = make_fokker_planck_options(config);
  options.diffusion = make_diffusion(config);
  if (options.diffusion) {
    check_diffusion_on_grid(grid, *options.diffusion, schedule,
                            is_stationary ? 0.0 : config.real("time.end"));
  }
  FokkerPlanckSolver solver(grid, drift, schedule, options);
  GridField rho =
      is_stationary ? solver.stationary()
                    : project_initial_density(grid, make_initial_distribution(config, grid.dim()));

  finish_setup(config);
  OutputFile file(comm, config.text("output.file"), {"fp", config.to_ini(), 0});
  file.write_grid(grid);
  file.write_attribute("fp", "mode", is_stationary ? "stationary" : "transient");
  file.write_attribute("fp", "landscape", landscape->describe());
  file.write_attribute("fp", "temperature", solver.schedule().describe());
  if (options.diffusion) { // absent: D = 1/beta(t)
    file.write_attribute("fp", "diffusion", options.diffusion->describe());
  }
  append_fokker_planck_output(file, solver.diagnostics(rho), solver.steps(), rho);
  if (!is_stationary) {
    ProgressReporter progress(comm, "fp", output_times.empty() ? 0.0 : output_times.back());
    for (double t : output_times) {
      solver.advance_to(t, rho); // NumericalError: the file keeps every level written so far
      const FokkerPlanckDiagnostics diagnostics = solver.diagnostics(rho);
      append_fokker_planck_output(file, diagnostics, solver.steps(), rho);
      char metric[96];
      std::snprintf(metric, sizeof metric, "mass=%.12g KL=%.3e", diagnostics.mass,
                    diagnostics.relative_entropy);
      progress.update(solver.steps(), t, metric);
    }
    progress.finish();
  }
  file.finish();
  log_info(comm, "fp: wrote " + file.path());
}

} // namespace relax
