#include "sde/ensemble_run.hpp"

#include "core/log.hpp"
#include "core/progress.hpp"
#include "core/setup_checks.hpp"
#include "grids/grid_options.hpp"
#include "io/output_file.hpp"
#include "io/output_lock.hpp"
#include "models/drift.hpp"
#include "models/initial.hpp"
#include "models/landscape_options.hpp"
#include "models/output_times.hpp"
#include "models/problem_options.hpp"
#include "models/schedule.hpp"
#include "sde/ensemble.hpp"
#include "sde/ensemble_options.hpp"

#include <algorithm>
#include <optional>

namespace relax {

OptionSet ensemble_run_options() {
  OptionSet options;
  declare_problem_options(options);
  declare_sde_options(options);
  declare_time_options(options);
  declare_output_options(options, "sde.h5");
  return options;
}

void run_ensemble(MPI_Comm comm, const Config& config) {
  const auto landscape = make_landscape(config, whole_dataset_reader(comm));
  const int dim = landscape->dim();
  const Drift drift = make_drift(config, landscape);
  const TemperatureSchedule schedule = make_temperature_schedule(config);
  const EnsembleSettings settings = make_ensemble_settings(config, dim);
  const std::vector<double> output_times = make_output_times(config);
  const std::vector<std::uint32_t> steps = output_steps(output_times, settings.integrator.dt);
  check_schedule(schedule, output_times.empty() ? 0.0 : output_times.back());
  const InitialDistribution initial = make_initial_distribution(config, dim);
  const bool wants_grid =
      config.boolean("sde.histogram") || initial.kind == InitialDistribution::Kind::uniform;
  const std::optional<Grid> grid =
      wants_grid ? std::optional<Grid>(make_grid(comm, config, std::min(dim, 3), {2, 0}))
                 : std::nullopt;
  if (settings.integrator.diffusion && grid) {
    check_diffusion_on_grid(*grid, *settings.integrator.diffusion, schedule,
                            output_times.empty() ? 0.0 : output_times.back());
  }
  const SdeOutputPlan plan =
      make_sde_output_plan(config, grid && config.boolean("sde.histogram") ? &*grid : nullptr);
  const std::string& restart = config.text("sde.restart");
  ParticleEnsemble ensemble =
      restart.empty() ? ParticleEnsemble(comm, drift, schedule, settings, initial,
                                         grid ? grid->axes() : std::vector<Axis>{})
                      : ParticleEnsemble::restart(comm, drift, schedule, settings, restart);
  if (!restart.empty()) {
    // Only when and what is written may change; the grid is the histogram's.
    require_same_problem(comm, config, "sde.restart",
                         {"time.", "output.", "grid.", "sde.restart", "sde.checkpoint",
                          "sde.histogram", "sde.snapshot_every", "sde.block"});
  }

  finish_setup(config);
  // A restart into the file it came from keeps that file's history and appends to it; into
  // another file, the new file says where the history is.
  const std::string& output = config.text("output.file");
  const bool in_place = !restart.empty() && is_same_file(comm, restart, output);
  OutputFile file(comm, output,
                  {"sde", config.to_ini(), settings.seed, in_place ? restart : std::string()});
  if (plan.grid != nullptr) {
    file.write_grid(*plan.grid);
  }
  write_sde_attributes(file, ensemble);
  long index = 0;
  if (in_place) {
    ++index; // its state is the last level of the history, written by the run it continues
  } else {
    if (!restart.empty()) {
      file.write_attribute("/", "restart_of", restart);
      log_info(comm, "sde: continues '" + restart + "' from t = " + format_real(ensemble.time()) +
                         "; the outputs before are in that file");
    }
    append_sde_output(file, ensemble, plan, index++);
  }
  ProgressReporter progress(comm, "sde", output_times.empty() ? 0.0 : output_times.back());
  for (const std::uint32_t step : steps) {
    if (step <= ensemble.step()) {
      continue; // a restart past this output
    }
    ensemble.advance_to(step); // NumericalError: the file keeps every output written so far
    const std::string metric = append_sde_output(file, ensemble, plan, index++);
    progress.update(step, ensemble.time(), metric);
  }
  progress.finish();
  file.finish();
  log_info(comm, "sde: wrote " + file.path());
}

} // namespace relax
