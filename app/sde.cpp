// `relax sde`: N particles of Langevin dynamics on a landscape, spread over the MPI ranks, from an
// initial distribution (or a checkpoint) to time.end. At t = 0 and at every output time it writes
// /sde/{time, step, beta, histogram (density on the grid), outside, moments, acceptance (MALA),
// passage and passage_time (with a passage surface), particles (every sde.snapshot_every-th
// output)} and /checkpoint, flushed as it goes. Results have the same bits at any rank count. A
// particle that becomes non-finite stops the run with exit 3 after the last good output.
#include "app/commands.hpp"
#include "app/common_options.hpp"

#include "core/log.hpp"
#include "core/progress.hpp"
#include "grids/grid_options.hpp"
#include "io/output_file.hpp"
#include "models/drift.hpp"
#include "models/initial.hpp"
#include "models/landscape_options.hpp"
#include "models/schedule.hpp"
#include "sde/ensemble.hpp"
#include "sde/ensemble_options.hpp"
#include "solvers/fokker_planck_setup.hpp"

#include <algorithm>
#include <optional>

namespace relax::app {

OptionSet sde_options() {
  OptionSet options;
  declare_problem_options(options);
  declare_sde_options(options);
  declare_time_options(options);
  declare_output_options(options, "sde.h5");
  return options;
}

int run_sde(const Session& session, const Config& config) {
  // Everything that can reject the input, including sampling or reading the initial state, runs
  // before the output file exists.
  const MPI_Comm comm = session.comm();
  const auto landscape = make_landscape(config);
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
      wants_grid ? std::optional<Grid>(make_grid(comm, config, std::min(dim, 3))) : std::nullopt;
  const SdeOutputPlan plan =
      make_sde_output_plan(config, grid && config.boolean("sde.histogram") ? &*grid : nullptr);
  const std::string& restart = config.text("sde.restart");
  ParticleEnsemble ensemble =
      restart.empty() ? ParticleEnsemble(comm, drift, schedule, settings, initial,
                                         grid ? grid->axes() : std::vector<Axis>{})
                      : ParticleEnsemble::restart(comm, drift, schedule, settings, restart);

  OutputFile file(comm, config.text("output.file"), {"sde", config.to_ini(), settings.seed});
  if (plan.grid != nullptr) {
    file.write_grid(*plan.grid);
  }
  write_sde_attributes(file, ensemble, schedule);
  long index = 0;
  append_sde_output(file, ensemble, schedule, plan, index++);
  ProgressReporter progress(comm, "sde", output_times.empty() ? 0.0 : output_times.back());
  for (const std::uint32_t step : steps) {
    if (step <= ensemble.step()) {
      continue; // a restart past this output
    }
    ensemble.advance_to(step); // NumericalError: the file keeps every output written so far
    const std::string metric = append_sde_output(file, ensemble, schedule, plan, index++);
    progress.update(step, ensemble.time(), metric);
  }
  progress.finish();
  file.finish();
  log_info(comm, "sde: wrote " + file.path());
  return 0;
}

} // namespace relax::app
