#include "sde/ensemble_output.hpp"

#include <cstdio>
#include <limits>

namespace relax {

namespace {

std::vector<std::string> moment_names(int dim) {
  std::vector<std::string> names;
  for (const char* name : {"mean_", "variance_"}) {
    for (int k = 0; k < dim; ++k) {
      names.push_back(name + std::to_string(k));
    }
  }
  names.emplace_back("energy");
  return names;
}

std::string moment_columns(int dim) {
  std::string columns;
  for (const std::string& name : moment_names(dim)) {
    columns += (columns.empty() ? "" : ",") + name;
  }
  return columns;
}

const std::vector<std::string> passage_names{"passed", "exposure", "rate", "rate_error",
                                             "mean_time"};

/// long_name and units of the /sde datasets (the histogram's units depend on the grid).
void describe_sde_output(OutputFile& file, const ParticleEnsemble& ensemble,
                         const SdeOutputPlan& plan, const std::string& prefix) {
  file.describe(prefix + "time", {"time of the particles: step x dt", "time"});
  file.describe(prefix + "step", {"integrator steps since the original start", "count"});
  file.describe(prefix + "beta", {"inverse temperature beta(t) of the particles", "1/energy"});
  file.describe(prefix + "moments", {"means and variances of the coordinates, mean energy <f>",
                                     "length, length^2, energy"});
  file.name_axis(prefix + "moments", 1, "moment", moment_names(ensemble.dim()));
  if (plan.grid != nullptr) {
    file.describe(prefix + "histogram", {"particle histogram: counts / (N x cell volume)",
                                         density_units(plan.grid->dim())});
    file.describe(prefix + "outside", {"fraction of the particles outside the grid box", "1"});
  }
  if (ensemble.settings().integrator.kind == IntegratorKind::mala) {
    file.describe(prefix + "acceptance", {"MALA acceptance rate since the original start", "1"});
  }
  if (ensemble.settings().passage) {
    file.describe(prefix + "passage",
                  {"first passages: passed, exposure, rate, rate_error, mean_time",
                   "count, time, 1/time, 1/time, time"});
    file.name_axis(prefix + "passage", 1, "passage_column", passage_names);
    file.describe(prefix + "passage_time", {"first passage time of each particle", "time"});
    file.name_axis(prefix + "passage_time", 0, "particle");
    file.name_axis(prefix + "passage_time", 1, "one");
  }
  if (plan.snapshot_every > 0) {
    file.describe(prefix + "particles", {"particle positions", "length"});
    file.describe(prefix + "particles_time", {"time of the snapshot", "time"});
    file.set_series_axis(prefix + "particles", prefix + "particles_time");
    file.name_axis(prefix + "particles", 1, "particle");
    file.name_axis(prefix + "particles", 2, "coordinate");
  }
}

} // namespace

void write_sde_attributes(OutputFile& file, const ParticleEnsemble& ensemble,
                          const std::string& group) {
  const EnsembleSettings& settings = ensemble.settings();
  file.write_attribute(group, "landscape", ensemble.drift().landscape().describe());
  file.write_attribute(group, "temperature", ensemble.schedule().describe());
  file.write_attribute(group, "integrator", to_string(settings.integrator.kind));
  file.write_attribute(group, "noise",
                       settings.integrator.noise == NoisePrecision::float32 ? "float" : "double");
  file.write_attribute(group, "dt", settings.integrator.dt);
  if (settings.integrator.diffusion) { // absent: D = 1/beta(t)
    file.write_attribute(group, "diffusion", settings.integrator.diffusion->describe());
  }
  file.write_attribute(group, "particles", static_cast<std::int64_t>(settings.particles));
  file.write_attribute(group, "moments_columns", moment_columns(ensemble.dim()));
  file.write_attribute(group, "histogram", "density: counts / (N * cell volume)");
  if (ensemble.aux_width() > 0) {
    file.write_attribute(group, "auxiliary_columns", ensemble.aux_columns());
  }
  if (settings.passage) {
    file.write_attribute(group, "passage_columns", "passed,exposure,rate,rate_error,mean_time");
    file.write_attribute(group, "passage_surface",
                         "x" + std::to_string(settings.passage->axis) +
                             (settings.passage->upward ? " >= " : " <= ") +
                             format_real(settings.passage->level));
  }
}

std::string append_sde_output(OutputFile& file, const ParticleEnsemble& ensemble,
                              const SdeOutputPlan& plan, long index, const std::string& group) {
  ensemble.require_finite_moments(); // before anything of this level is written
  const std::string prefix = group + "/";
  const auto n = static_cast<double>(ensemble.size());
  file.append_scalar(prefix + "time", ensemble.time());
  describe_sde_output(file, ensemble, plan, prefix);
  file.append_count(prefix + "step", ensemble.step());
  file.append_scalar(prefix + "beta", ensemble.schedule().beta(ensemble.time()));
  if (plan.grid != nullptr) {
    const Histogram histogram = ensemble.histogram(*plan.grid);
    file.append_field(prefix + "histogram", histogram.density());
    file.append_scalar(prefix + "outside", static_cast<double>(histogram.outside()) / n);
  }
  const ParticleMoments moments = ensemble.moments();
  std::vector<double> row = moments.mean;
  row.insert(row.end(), moments.variance.begin(), moments.variance.end());
  row.push_back(moments.mean_energy);
  file.append_row(prefix + "moments", row);
  char metric[128];
  int used = std::snprintf(metric, sizeof metric, "<f>=%.5g", moments.mean_energy);
  if (ensemble.settings().integrator.kind == IntegratorKind::mala) {
    const AcceptanceCounts counts = ensemble.acceptance();
    const double rate = counts.proposed > 0 ? static_cast<double>(counts.accepted) /
                                                  static_cast<double>(counts.proposed)
                                            : std::numeric_limits<double>::quiet_NaN();
    file.append_scalar(prefix + "acceptance", rate);
    used += std::snprintf(metric + used, sizeof metric - static_cast<std::size_t>(used),
                          " acceptance=%.4f", rate);
  }
  if (ensemble.settings().passage) {
    const PassageStatistics s = ensemble.passage_statistics();
    file.append_row(prefix + "passage",
                    {static_cast<double>(s.passed), s.exposure, s.rate, s.rate_error, s.mean_time});
    if (plan.passage_times) {
      const std::vector<double> times = ensemble.passage_times();
      file.write_rows(prefix + "passage_time", times.data(), ensemble.local_size(),
                      ensemble.first_id(), ensemble.size(), 1);
    }
    std::snprintf(metric + used, sizeof metric - static_cast<std::size_t>(used),
                  " passed=%.4g rate=%.4g", static_cast<double>(s.passed) / n, s.rate);
  }
  if (plan.snapshot_every > 0 && index % plan.snapshot_every == 0) {
    ensemble.append_snapshot(file, prefix + "particles");
    if (ensemble.aux_width() > 0) {
      ensemble.append_auxiliary(file, prefix + "auxiliary");
    }
    file.append_scalar(prefix + "particles_time", ensemble.time());
  }
  if (plan.checkpoint) {
    ensemble.write_checkpoint(file);
  }
  file.flush();
  return metric;
}

} // namespace relax
