#include "studies/compare_study.hpp"

#include "core/log.hpp"
#include "core/progress.hpp"
#include "core/setup_checks.hpp"
#include "grids/grid_options.hpp"
#include "io/output_file.hpp"
#include "models/landscape_options.hpp"
#include "models/output_times.hpp"
#include "models/problem_options.hpp"
#include "sde/ensemble_options.hpp"
#include "solvers/fokker_planck_setup.hpp"
#include "studies/compare.hpp"
#include "studies/compare_setup.hpp"

#include <cblas.h>

#include <cmath>
#include <cstdio>

namespace relax {

OptionSet compare_study_options() {
  OptionSet options;
  declare_problem_options(options);
  declare_fokker_planck_options(options);
  declare_time_options(options);
  declare_sde_options(options);
  declare_compare_options(options);
  declare_output_options(options, "compare.h5");
  options.switch_("fail-on-mismatch",
                  "exit with code 4 when the PDE and the particles disagree at any output");
  // The default problem (README): 250 000 MALA particles in the double well at beta = 1 from a
  // Gaussian in the left well to t = 8 = 6 / lambda1, where both sides are within noise of Gibbs.
  // Every systematic difference the verdict can see stays below 0.18 standard errors in every
  // observable at every output (bench/compare_calibration.py bias: the exact discrete-time law of
  // the particles on a fine grid against the PDE): MALA's time-step bias at dt = 5e-4 at most 0.14
  // SE (basin masses at t = 0.8), the PDE's O(h^2) discrete Gibbs 0.16 SE in <f>. At dt = 2e-3 and
  // 10^6 particles, the same cost, MALA's bias was 1.6 SE in the basin masses at t = 0.8.
  options.set_default("sde.particles", "250000")
      .set_default("sde.integrator", "mala")
      .set_default("sde.dt", "0.0005")
      .set_default("sde.checkpoint", "false")
      .set_default("fp.dt", "0.001")
      .set_default("time.end", "8");
  return options;
}

namespace {

/// The study's loop: the run, its file, and the count of disagreements. The file is opened once
/// the run (every solver and the particles) exists and finish_setup has passed.
class CompareStudy {
public:
  CompareStudy(MPI_Comm comm, const Config& config, const Grid& grid, ComparisonProblem problem,
               const SdeOutputPlan& plan)
      : comm_(comm), plan_(plan), run_(grid, std::move(problem)),
        file_((finish_setup(config), comm), config.text("output.file"),
              {"compare", config.to_ini(), run_.problem().particles.seed}) {}

  CompareOutcome run(const Landscape& landscape, const std::string& rates_note);

private:
  DensityComparison write_output();

  void write_verdict();

  MPI_Comm comm_;
  const SdeOutputPlan& plan_;
  ComparisonRun run_;
  OutputFile file_;
  CompareOutcome outcome_;
  bool warned_outside_ = false;
  // The family of the verdict: every p-value with what it tests.
  std::vector<double> pvalues_;
  std::vector<std::string> tested_;
  bool l1_guard_failed_ = false;
  std::vector<double> max_z_;
  std::vector<double> max_z_time_;
  DensityComparison last_;
};

DensityComparison CompareStudy::write_output() {
  run_.ensemble().require_finite_moments(); // both sides pass before either is written
  append_fokker_planck_output(file_, run_.solver().diagnostics(run_.density()),
                              run_.solver().steps(), run_.density());
  append_sde_output(file_, run_.ensemble(), plan_, outcome_.outputs++);
  const DensityComparison comparison = run_.compare();
  const AgreementRule& rule = run_.problem().rule;
  append_compare_output(file_, run_.time(), comparison, rule.test_level());
  log_info(comm_, comparison_table_row(run_.time(), comparison, run_.observables()));
  const std::string at = " at t = " + format_real(run_.time());
  l1_guard_failed_ = l1_guard_failed_ || comparison.l1 > rule.noise_factor * comparison.noise;
  pvalues_.push_back(comparison.chi_square.pvalue);
  tested_.push_back("chi-square" + at);
  max_z_.resize(comparison.observables.size(), 0.0);
  max_z_time_.resize(comparison.observables.size(), 0.0);
  for (std::size_t k = 0; k < comparison.observables.size(); ++k) {
    const ObservableValue& v = comparison.observables[k];
    pvalues_.push_back(v.pvalue);
    tested_.push_back(run_.observables()[k].name + at);
    if (std::abs(v.z) > max_z_[k]) {
      max_z_[k] = std::abs(v.z);
      max_z_time_[k] = run_.time();
    }
  }
  last_ = comparison;
  if (!comparison.agrees && outcome_.disagreements++ == 0) {
    outcome_.first_disagreement = run_.time();
  }
  if (comparison.outside > 0 && !warned_outside_) {
    warned_outside_ = true;
    log_warning(comm_, "a fraction " + format_real(comparison.outside) +
                           " of the particles lies outside the grid box at t = " +
                           format_real(run_.time()) +
                           ", where the PDE has no mass (its walls hold it in): widen grid.lo "
                           "and grid.hi");
  }
  return comparison;
}

void CompareStudy::write_verdict() {
  const AgreementRule& rule = run_.problem().rule;
  const std::vector<std::size_t> rejected = holm_rejections(pvalues_, rule.false_alarm_rate);
  std::string list;
  for (std::size_t k : rejected) {
    list += (list.empty() ? "" : "; ") + tested_[k] + " (p = " + format_real(pvalues_[k]) + ")";
  }
  const bool agrees = rejected.empty() && !l1_guard_failed_;
  file_.write_attribute("compare", "verdict", agrees ? "agree" : "disagree");
  file_.write_attribute("compare", "rejected", list);
  file_.write_attribute("compare", "l1_guard_failed", std::int64_t{l1_guard_failed_ ? 1 : 0});
  file_.write_attribute("compare", "family_tests", static_cast<std::int64_t>(pvalues_.size()));
  if (!agrees) {
    log_info(
        comm_,
        "verdict: DISAGREE at family-wise false-alarm rate " + format_real(rule.false_alarm_rate) +
            " over " + std::to_string(pvalues_.size()) + " tests" +
            (l1_guard_failed_ ? "; L1 above " + format_real(rule.noise_factor) + " x noise" : "") +
            (list.empty() ? "" : "; rejected (Holm-Bonferroni): " + list));
  } else {
    log_info(comm_, "verdict: agree within noise: no test of " + std::to_string(pvalues_.size()) +
                        " rejected at family-wise false-alarm rate " +
                        format_real(rule.false_alarm_rate) + " (Holm-Bonferroni)");
  }
}

CompareOutcome CompareStudy::run(const Landscape& landscape, const std::string& rates_note) {
  const ComparisonProblem& setup = run_.problem();
  file_.write_grid(run_.grid());
  file_.write_attribute("fp", "landscape", landscape.describe());
  file_.write_attribute("fp", "temperature", run_.solver().schedule().describe());
  if (setup.fp.diffusion) { // absent: D = 1/beta(t)
    file_.write_attribute("fp", "diffusion", setup.fp.diffusion->describe());
  }
  write_sde_attributes(file_, run_.ensemble());
  write_compare_attributes(file_, setup, run_.observables());
  log_info(comm_, "compare: " + landscape.describe() + ", " + setup.schedule.describe() + ", " +
                      std::to_string(setup.particles.particles) + " particles (" +
                      to_string(setup.particles.integrator.kind) +
                      ", dt = " + format_real(setup.particles.integrator.dt) + "); agree when " +
                      setup.rule.describe());
  log_info(comm_, comparison_table_header());

  write_output();
  {
    const std::vector<double>& times = setup.output_times;
    ProgressReporter progress(comm_, "compare", times.empty() ? 0.0 : times.back());
    for (std::size_t k = 0; k < times.size(); ++k) {
      run_.advance_to_output(k); // NumericalError: the file keeps every output written so far
      const DensityComparison comparison = write_output();
      char metric[64];
      std::snprintf(metric, sizeof metric, "L1=%.3e noise=%.3e", comparison.l1, comparison.noise);
      progress.update(run_.ensemble().step(), times[k], metric);
    }
    progress.finish();
  }

  log_info(comm_, observables_table(last_, max_z_, max_z_time_, run_.observables(),
                                    setup.rule.test_level()));
  write_verdict();
  const StationaryComparison stationary = run_.compare_to_stationary();
  write_stationary_comparison(file_, stationary);
  log_info(comm_, stationary_summary(stationary));
  if (setup.wells) {
    const EscapeRates rates = run_.escape_rates();
    write_escape_rates(file_, rates, setup);
    log_info(comm_, escape_rate_summary(rates, setup));
  } else if (!rates_note.empty()) {
    log_info(comm_, "no escape rates: " + rates_note);
  }
  file_.finish();
  log_info(comm_, outcome_.disagreements == 0
                      ? "compare: agree within noise at all " + std::to_string(outcome_.outputs) +
                            " outputs; wrote " + file_.path()
                      : "compare: DISAGREE at " + std::to_string(outcome_.disagreements) + " of " +
                            std::to_string(outcome_.outputs) + " outputs (first at t = " +
                            format_real(outcome_.first_disagreement) + "); wrote " + file_.path());
  return outcome_;
}

} // namespace

CompareOutcome run_compare_study(MPI_Comm comm, const Config& config) {
  openblas_set_num_threads(1); // BLAS threads on top of MPI ranks oversubscribe (fokker_planck_run)
  const auto landscape = make_landscape(config, whole_dataset_reader(comm));
  const Grid grid = make_grid(comm, config, landscape->dim());
  std::string rates_note;
  ComparisonProblem problem = make_comparison_problem(config, landscape, grid.axes(), &rates_note);
  const double t_end = problem.output_times.empty() ? 0.0 : problem.output_times.back();
  check_schedule(problem.schedule, t_end);
  check_schedule(problem.particle_schedule, t_end);
  if (problem.fp.diffusion) {
    check_diffusion_on_grid(grid, *problem.fp.diffusion, problem.schedule, t_end);
    check_diffusion_on_grid(grid, *problem.fp.diffusion, problem.particle_schedule, t_end);
  }
  const SdeOutputPlan plan =
      make_sde_output_plan(config, config.boolean("sde.histogram") ? &grid : nullptr);
  CompareStudy study(comm, config, grid, std::move(problem), plan);
  return study.run(*landscape, rates_note);
}

} // namespace relax
