#include "studies/compare_setup.hpp"

#include "core/error.hpp"
#include "core/text.hpp"
#include "core/validate.hpp"
#include "models/finite_sum.hpp"
#include "models/output_times.hpp"
#include "sde/ensemble_options.hpp"
#include "solvers/fokker_planck_setup.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace relax {

namespace {

/// The wells of the escape rates, or why there are none.
std::optional<TwoWells> escape_wells(const ComparisonProblem& problem, const Landscape& landscape,
                                     const std::vector<Axis>& box, std::string& why_not) {
  if (problem.fp.diffusion) {
    why_not = "the diffusion is not 1/beta (D = " + problem.fp.diffusion->describe() +
              "; the rates assume 1/beta)";
  } else if (!problem.schedule.is_constant()) {
    why_not = "beta changes with time (temperature.schedule = " + problem.schedule.describe() + ")";
  } else if (!problem.drift.is_gradient()) {
    why_not = "the drift is not a gradient (drift.rotation != 0)";
  } else if (problem.initial.kind != InitialDistribution::Kind::gaussian &&
             problem.initial.kind != InitialDistribution::Kind::point) {
    why_not = "the particles do not start in one well (initial.kind is not gaussian or point)";
  } else if (auto wells = find_two_wells(landscape, box, problem.initial.mean)) {
    return wells;
  } else {
    why_not = "f has no minimum-saddle-minimum along x0 on the grid box from initial.mean";
  }
  return std::nullopt;
}

/// A number for people to read: 6 significant digits, round-off below 1e-12 of the scale shown
/// as 0 (a saddle at x = -5e-16 is at 0).
std::string readable(double value, double scale) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", std::abs(value) <= 1e-12 * scale ? 0.0 : value);
  return text;
}

std::string point(const std::vector<double>& x) {
  double scale = 1;
  for (double v : x) {
    scale = std::max(scale, std::abs(v));
  }
  std::string text;
  for (double v : x) {
    text += (text.empty() ? "" : ", ") + readable(v, scale);
  }
  return x.size() == 1 ? text : "(" + text + ")";
}

std::string describe_surface(const PassageSurface& surface) {
  return "x" + std::to_string(surface.axis) + (surface.upward ? " >= " : " <= ") +
         readable(surface.level, std::max(1.0, std::abs(surface.level)));
}

std::string verdict(bool agrees) {
  return agrees ? "agree within noise" : "DISAGREE";
}

/// The PDE side of minibatch SGD / SGLD particles on a finite-sum loss: the diffusion of their SDE
/// model (docs/theory.md), or null when the particles are not minibatch SGD / SGLD.
std::shared_ptr<const Diffusion> minibatch_sde_model(const IntegratorSettings& integrator,
                                                     const Landscape& landscape,
                                                     const TemperatureSchedule& schedule) {
  const bool is_minibatch =
      integrator.kind == IntegratorKind::sgd || integrator.kind == IntegratorKind::sgld;
  const auto* finite_sum = dynamic_cast<const FiniteSumLandscape*>(&landscape);
  if (!is_minibatch || finite_sum == nullptr) {
    return nullptr; // sgd then fails in the integrator; sgld off a finite sum is Euler–Maruyama
  }
  if (integrator.rates != SgdRates::constant) {
    const char* rates =
        integrator.rates == SgdRates::inverse_variance ? "inverse_variance" : "inverse_std";
    throw InputError(std::string("sde.sgd_rates = ") + rates +
                     ": relax compare's SDE model of minibatch SGD is for one rate eta = sde.dt "
                     "on every axis (expected constant)");
  }
  const FiniteSumLoss& loss = finite_sum->loss();
  MinibatchNoiseModel model;
  model.loss = finite_sum->shared_loss();
  model.learning_rate = integrator.dt;
  model.covariance_factor =
      minibatch_covariance_factor(loss.size(), integrator.batch, integrator.with_replacement);
  model.adds_temperature = integrator.kind == IntegratorKind::sgld;
  model.temperature_changes = !schedule.is_constant();
  model.source =
      "sde.integrator = " + to_string(integrator.kind) +
      " (the PDE diffuses with its SDE model, sde.batch = " + std::to_string(integrator.batch) +
      ", sde.replacement = " + (integrator.with_replacement ? "true" : "false") + ")";
  return std::make_shared<const Diffusion>(std::move(model));
}

} // namespace

void declare_compare_options(OptionSet& options) {
  options
      .real("compare.noise_factor", 3.0, "",
            "verdict: agree when L1(PDE, particles) <= noise_factor x the L1 of sampling noise "
            "alone ...")
      .real("compare.false_alarm_rate", 1e-3, "",
            "... and no p-value (chi-square and observables at every output) rejected by "
            "Holm-Bonferroni at this family-wise false-alarm rate")
      .text("compare.regions", "",
            "observables: masses of regions, muParser conditions in x, y, z separated by ';' "
            "(e.g. x > 1.5; x < 0 && y > 0), besides the basins of the minima of f, the mean "
            "and variance per axis and <f>")
      .boolean("compare.rates", true,
               "escape rates of a double well (constant beta, gradient drift, Gaussian or point "
               "start): PDE slow mode, particle first passages through the other minimum (or "
               "sde.passage), Kramers")
      .real("compare.particle_beta_factor", 1.0, "",
            "particles run at this factor x beta(t), the PDE at beta(t): a deliberate mismatch "
            "that compare must report (1: none)");
}

ComparisonProblem make_comparison_problem(const Config& config,
                                          const std::shared_ptr<const Landscape>& landscape,
                                          const std::vector<Axis>& box, std::string* rates_note) {
  const int dim = landscape->dim();
  const double factor = config.positive_real("compare.particle_beta_factor");
  ComparisonProblem problem{make_drift(config, landscape),
                            make_temperature_schedule(config),
                            make_temperature_schedule(config).scaled(factor),
                            make_initial_distribution(config, dim),
                            make_fokker_planck_options(config),
                            make_ensemble_settings(config, dim),
                            {},
                            {},
                            make_output_times(config),
                            {},
                            std::nullopt};
  problem.output_steps = output_steps(problem.output_times, problem.particles.integrator.dt);
  problem.fp.diffusion = problem.particles.integrator.diffusion; // one D for both sides
  if (auto model =
          minibatch_sde_model(problem.particles.integrator, *landscape, problem.schedule)) {
    problem.fp.diffusion = std::move(model); // SGD / SGLD particles: the PDE of their SDE model
  }
  problem.rule.noise_factor = config.positive_real("compare.noise_factor");
  problem.rule.false_alarm_rate = config.real("compare.false_alarm_rate");
  if (!(problem.rule.false_alarm_rate > 0 && problem.rule.false_alarm_rate < 1)) {
    reject_value("compare.false_alarm_rate", config.text("compare.false_alarm_rate"),
                 "a probability in (0, 1)");
  }
  for (const std::string& region : split(config.text("compare.regions"), ';')) {
    const std::string condition = trim(region);
    if (!condition.empty()) {
      problem.regions.push_back(condition);
    }
  }
  if (problem.initial.kind == InitialDistribution::Kind::file) {
    throw InputError("initial.kind = file: relax compare needs one initial distribution that the "
                     "PDE can project and the particles can sample (expected gaussian, uniform "
                     "or point)");
  }
  if (const IntegratorKind kind = problem.particles.integrator.kind;
      kind == IntegratorKind::entropy_sgd || kind == IntegratorKind::parle) {
    throw InputError("sde.integrator = " + to_string(kind) +
                     ": relax compare tests the Fokker-Planck density of f, which its slow "
                     "variable does not follow (it descends the local entropy f_gamma: compare "
                     "with relax hj, docs/theory.md 7.8); expected another integrator");
  }
  if (!config.text("sde.restart").empty()) {
    throw InputError("sde.restart = '" + config.text("sde.restart") +
                     "': relax compare cannot restart (the PDE side has no checkpoint); expected "
                     "an empty value");
  }
  if (config.boolean("compare.rates")) {
    std::string why_not;
    problem.wells = escape_wells(problem, *landscape, box, why_not);
    if (problem.wells && !problem.particles.passage) {
      problem.particles.passage = escape_surface(*problem.wells);
    }
    if (rates_note != nullptr) {
      *rates_note = why_not;
    }
  }
  return problem;
}

void write_compare_attributes(OutputFile& file, const ComparisonProblem& problem,
                              const std::vector<Observable>& observables) {
  file.write_attribute("compare", "rule", problem.rule.describe());
  file.write_attribute("compare", "false_alarm_rate", problem.rule.false_alarm_rate);
  file.write_attribute("compare", "tests", std::int64_t{problem.rule.tests});
  file.write_attribute("compare", "test_level", problem.rule.test_level());
  const std::string group = "compare/observables";
  std::string names;
  for (const Observable& o : observables) {
    names += (names.empty() ? "" : ",") + o.name;
    file.write_attribute(group, o.name, o.definition);
  }
  file.write_attribute(group, "names", names);
  file.write_attribute(group, "columns",
                       "each dataset is (time, observable), the observables in the order of names; "
                       "each name's attribute defines it");
  file.write_attribute(group, "standard_error",
                       "of the particle estimate, for N independent particles drawn from the PDE's "
                       "cell masses (the null hypothesis); delta method for a variance");
  file.write_attribute(group, "z", "(particles - pde) / standard_error");
  file.write_attribute(group, "pvalue",
                       "two-sided: exact binomial for a mass, normal for the others");
  file.write_attribute(group, "detectable",
                       "smallest bias |particles - pde| the verdict detects with probability 1/2 "
                       "at this N: critical_z(test_level) x standard_error");
  file.write_attribute("compare", "l1", "int |rho - h|: rho the PDE density, h the histogram");
  file.write_attribute("compare", "kl", "KL(h || rho) = int h log(h / rho)");
  file.write_attribute("compare", "hellinger", "sqrt(int (sqrt(rho) - sqrt(h))^2 / 2)");
  file.write_attribute("compare", "chi2",
                       "Pearson chi-square of the counts against rho, cells expecting < 5 pooled; "
                       "dof degrees of freedom, pvalue its upper tail");
  file.write_attribute("compare", "noise",
                       "expected L1 of a histogram of N draws from rho: sum sqrt(2 p (1 - p) / "
                       "(pi N)), p = rho * cell volume");
  file.write_attribute("compare", "agree", "1 when the rule holds, else 0");
  file.write_attribute("compare", "particle_beta",
                       "particles: " + problem.particle_schedule.describe() +
                           ", PDE: " + problem.schedule.describe());
  file.describe_all("compare",
                    {{"time", {"output time", "time"}},
                     {"l1", {"L1 distance of the PDE density and the particle histogram", "1"}},
                     {"total_variation", {"total variation distance: L1 / 2", "1"}},
                     {"kl", {"KL(histogram || PDE density)", "1"}},
                     {"hellinger", {"Hellinger distance", "1"}},
                     {"chi2", {"Pearson chi-square of the counts against the PDE density", "1"}},
                     {"dof", {"degrees of freedom of the chi-square", "count"}},
                     {"pvalue", {"chi-square p-value", "1"}},
                     {"noise", {"expected L1 of N independent draws from the PDE density", "1"}},
                     {"agree", {"verdict: " + problem.rule.describe(), "1"}}});
}

void append_compare_output(OutputFile& file, double time, const DensityComparison& c,
                           double level) {
  file.append_scalar("compare/time", time);
  file.append_scalar("compare/l1", c.l1);
  file.append_scalar("compare/total_variation", c.total_variation);
  file.append_scalar("compare/kl", c.kl);
  file.append_scalar("compare/hellinger", c.hellinger);
  file.append_scalar("compare/chi2", c.chi_square.statistic);
  file.append_count("compare/dof", c.chi_square.degrees_of_freedom);
  file.append_scalar("compare/pvalue", c.chi_square.pvalue);
  file.append_scalar("compare/noise", c.noise);
  file.append_flag("compare/agree", c.agrees);
  if (!c.observables.empty()) {
    const double z_critical = critical_z(level);
    const auto column = [&](const std::string& name, auto&& pick) {
      std::vector<double> row;
      for (const ObservableValue& v : c.observables) {
        row.push_back(pick(v));
      }
      file.append_row("compare/observables/" + name, row);
    };
    column("pde", [](const ObservableValue& v) { return v.pde; });
    column("particles", [](const ObservableValue& v) { return v.particles; });
    column("standard_error", [](const ObservableValue& v) { return v.standard_error; });
    column("z", [](const ObservableValue& v) { return v.z; });
    column("pvalue", [](const ObservableValue& v) { return v.pvalue; });
    column("detectable", [&](const ObservableValue& v) { return z_critical * v.standard_error; });
  }
  file.flush();
}

void write_stationary_comparison(OutputFile& file, const StationaryComparison& c) {
  const std::string group = "compare/stationary";
  file.write_attribute(group, "density",
                       c.is_gibbs ? "Gibbs exp(-beta f)/Z at the final beta"
                                  : "null vector of the FP operator at the final beta");
  file.write_attribute(group, "beta", c.beta);
  file.write_attribute(group, "pde_l1", c.pde_l1);
  file.write_attribute(group, "pde_kl", c.pde_kl);
  file.write_attribute(group, "particles_l1", c.particles.l1);
  file.write_attribute(group, "particles_noise", c.particles.noise);
  file.write_attribute(group, "particles_kl", c.particles.kl);
  file.write_attribute(group, "particles_hellinger", c.particles.hellinger);
  file.write_attribute(group, "particles_chi2", c.particles.chi_square.statistic);
  file.write_attribute(group, "particles_pvalue", c.particles.chi_square.pvalue);
  file.write_attribute(group, "particles_agree", std::int64_t{c.particles.agrees ? 1 : 0});
}

void write_escape_rates(OutputFile& file, const EscapeRates& r, const ComparisonProblem& problem) {
  const std::string name = "compare/rates";
  const TwoWells& wells = *problem.wells;
  file.describe(name, {"escape rate from the start well to the target well", "1/time"});
  file.name_axis(name, 0, "method", {"pde", "particles", "kramers"});
  file.write_array(name, {r.pde, r.particles.rate, r.kramers}, {3});
  file.write_attribute(name, "columns", "pde,particles,kramers");
  file.write_attribute(name, "pde",
                       "k_ab = lambda1 pi_b: lambda1 the smallest nonzero eigenvalue of -A (SLEPc, "
                       "solvers/spectrum), pi_b the stationary mass beyond the saddle");
  file.write_attribute(name, "particles",
                       "first passages through " + describe_surface(*problem.particles.passage) +
                           ": passed / exposure, standard error rate / sqrt(passed)");
  file.write_attribute(name, "kramers",
                       "|mu_s| / (2 pi) sqrt(det H_a / |det H_s|) exp(-beta (f_s - f_a))");
  file.write_attribute(name, "lambda1", r.lambda1);
  file.write_attribute(name, "lambda1_residual", r.lambda1_residual);
  file.write_attribute(name, "target_mass", r.target_mass);
  file.write_attribute(name, "particles_error", r.particles.rate_error);
  file.write_attribute(name, "particles_passed", static_cast<std::int64_t>(r.particles.passed));
  file.write_attribute(name, "particles_exposure", r.particles.exposure);
  file.write_attribute(name, "beta", r.beta);
  file.write_attribute(name, "barrier", r.barrier);
  file.write_attribute(name, "start_well", join_reals(wells.start_well.x));
  file.write_attribute(name, "saddle", join_reals(wells.saddle.x));
  file.write_attribute(name, "target_well", join_reals(wells.target_well.x));
}

std::string comparison_table_header() {
  return "      time  L1(PDE,particles)      noise  L1/noise    p-value   max|z| (observable)  "
         "verdict";
}

std::string comparison_table_row(double time, const DensityComparison& c,
                                 const std::vector<Observable>& observables) {
  std::size_t worst = 0;
  for (std::size_t k = 0; k < c.observables.size(); ++k) {
    if (std::abs(c.observables[k].z) > std::abs(c.observables[worst].z)) {
      worst = k;
    }
  }
  const bool has_observables = !c.observables.empty() && worst < observables.size();
  char line[200];
  std::snprintf(line, sizeof line, "%10.4g  %17.4e  %9.3e  %8.3f  %9.3g  %7.2f %-13s  %s", time,
                c.l1, c.noise, c.l1 / c.noise, c.chi_square.pvalue,
                has_observables ? std::abs(c.observables[worst].z) : 0.0,
                has_observables ? ("(" + observables[worst].name + ")").c_str() : "",
                verdict(c.agrees).c_str());
  return line;
}

std::string observables_table(const DensityComparison& last, const std::vector<double>& max_z,
                              const std::vector<double>& max_z_time,
                              const std::vector<Observable>& observables, double level) {
  const double z_critical = critical_z(level);
  char head[160];
  std::snprintf(head, sizeof head,
                "observables at the last output (z = (particles - PDE) / SE; detectable: the bias "
                "found with probability 1/2, %.3g SE):\n",
                z_critical);
  std::string text = head;
  text += "  observable            PDE          particles           SE        z   max|z| at t   "
          "detectable";
  for (std::size_t k = 0; k < observables.size() && k < last.observables.size(); ++k) {
    const ObservableValue& v = last.observables[k];
    char line[200];
    std::snprintf(line, sizeof line, "\n  %-12s %12.6g  %17.6g  %11.3g  %7.2f  %6.2f %6.3g  %11.3g",
                  observables[k].name.c_str(), v.pde, v.particles, v.standard_error, v.z, max_z[k],
                  max_z_time[k], z_critical * v.standard_error);
    text += line;
  }
  return text;
}

std::string stationary_summary(const StationaryComparison& c) {
  char line[320];
  std::snprintf(line, sizeof line,
                "stationary (%s at beta = %.6g): L1(PDE, stationary) = %.3e; particles: L1 = "
                "%.3e (noise %.3e), p-value = %.3g: %s",
                c.is_gibbs ? "Gibbs" : "null vector of the FP operator", c.beta, c.pde_l1,
                c.particles.l1, c.particles.noise, c.particles.chi_square.pvalue,
                c.particles.agrees ? "stationary within noise" : "not (yet) stationary");
  return line;
}

std::string escape_rate_summary(const EscapeRates& r, const ComparisonProblem& problem) {
  const TwoWells& wells = *problem.wells;
  const PassageStatistics& p = r.particles;
  char text[1024];
  int used = std::snprintf(
      text, sizeof text,
      "escape rate from the well at x = %s to the well at x = %s over the saddle at x = %s "
      "(barrier %.4g = %.3g kT at beta = %.4g):\n"
      "  PDE slow mode   k = lambda1 pi_b = %.6g x %.6g = %.6g\n"
      "  particles       k = %.6g +- %.2g  (%llu of %llu passed %s; passed / exposure)\n"
      "  Kramers         k = %.6g",
      point(wells.start_well.x).c_str(), point(wells.target_well.x).c_str(),
      point(wells.saddle.x).c_str(), r.barrier, r.beta * r.barrier, r.beta, r.lambda1,
      r.target_mass, r.pde, p.rate, p.rate_error, static_cast<unsigned long long>(p.passed),
      static_cast<unsigned long long>(p.particles),
      describe_surface(*problem.particles.passage).c_str(), r.kramers);
  if (r.beta * r.barrier < 5 && used > 0 && static_cast<std::size_t>(used) < sizeof text) {
    std::snprintf(text + used, sizeof text - static_cast<std::size_t>(used),
                  "\n  (Kramers' formula and the two-state reading need a barrier of several kT; "
                  "at %.3g kT they differ by tens of percent)",
                  r.beta * r.barrier);
  }
  return text;
}

} // namespace relax
