#include "studies/hj_study.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/mpi.hpp"
#include "core/progress.hpp"
#include "core/setup_checks.hpp"
#include "core/validate.hpp"
#include "grids/grid_options.hpp"
#include "io/output_file.hpp"
#include "models/landscape_options.hpp"
#include "solvers/viscous_hj.hpp"
#include "solvers/viscous_hj_heat_hopf_lax.hpp"
#include "solvers/viscous_hj_interpolation.hpp"
#include "studies/viscous_hj_options.hpp"
#include "studies/viscous_hj_particles.hpp"

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace relax {

OptionSet hj_study_options() {
  OptionSet options;
  declare_landscape_options(options);
  declare_grid_options(options);
  declare_viscous_hj_options(options);
  options.real("hj.max_rhat", 1.01, "",
               "mixing: the target of the adaptive burn-in (hj.max_doublings); warn (and exit 4 "
               "with --fail-on-mismatch) when a point's split-R-hat over its chains still exceeds "
               "this, or when |z| against Cole-Hopf exceeds 4");
  declare_output_options(options, "hj.h5");
  options.switch_("fail-on-mismatch",
                  "exit with code 4 when the particle estimates did not mix or are off by more "
                  "than 4 standard errors");
  return options;
}

namespace {

/// Rows (count, width) that every rank holds, written by rank 0 as one level of `dataset`.
void append_table(OutputFile& file, MPI_Comm comm, const std::string& dataset,
                  const std::vector<double>& rows, std::size_t width) {
  const std::size_t count = rows.size() / width;
  const bool is_root = comm_rank(comm) == 0;
  file.append_rows(dataset, rows.data(), is_root ? count : 0, 0, count, width);
}

/// The grid methods and the particle estimates of one run, and the /hj group they fill.
class HjStudy {
public:
  HjStudy(MPI_Comm comm, const Config& config)
      : comm_(comm), landscape_(make_landscape(config, whole_dataset_reader(comm))),
        grid_(make_grid(comm, config, landscape_->dim())),
        settings_(make_viscous_hj_settings(config, grid_)),
        dim_(static_cast<std::size_t>(grid_.dim())), f_(grid_),
        max_rhat_(config.real("hj.max_rhat")) {
    if (!(max_rhat_ >= 1)) {
      reject_value("hj.max_rhat", config.text("hj.max_rhat"), "a split-R-hat bound >= 1");
    }
    settings_.sampling.target_rhat = max_rhat_;
    f_.fill([&](const double* x) { return landscape_->value(x); });
    double f_sum = 0; // NaN or Inf when any value is
    RELAX_PETSC(VecNorm(f_.vec(), NORM_1, &f_sum));
    if (!std::isfinite(f_sum)) {
      throw InputError("landscape " + landscape_->describe() +
                       " is not finite at every cell centre of the grid");
    }
    if (settings_.use_cole_hopf) {
      cole_hopf_.emplace(grid_, f_, settings_.problem);
    }
    if (cole_hopf_ && !settings_.points.empty()) {
      // The chains sample the tilted measure on the whole space. Even images at a reflecting wall
      // (the Neumann problem of /hj/u) are copies of f that the chains never see, and weigh
      // exp(-d^2/(4 nu gamma)) at distance d: the reference truncates at the box instead
      // (f = +inf outside, negligible where f is large at the walls); periodic axes stay periodic.
      std::vector<Axis> axes = grid_.axes();
      for (Axis& axis : axes) {
        if (axis.boundary == Boundary::reflecting) {
          axis.boundary = Boundary::absorbing;
        }
      }
      particle_grid_.emplace(comm_, axes);
      GridField f_box(*particle_grid_);
      f_box.fill([&](const double* x) { return landscape_->value(x); });
      particle_reference_.emplace(*particle_grid_, f_box, settings_.problem);
    }
    if (settings_.equation == HjEquation::heat) {
      heat_.emplace(grid_, f_, settings_.problem.nu);
    }
    if (settings_.equation == HjEquation::inviscid) {
      hopf_lax_.emplace(grid_, f_);
    }
    if (!settings_.query_points.empty()) {
      for (const Axis& axis : grid_.axes()) {
        if (axis.n < 3) {
          reject_value("grid.n", std::to_string(axis.n), "at least 3 cells with hj.query_points");
        }
      }
    }
    if (settings_.use_finite_difference) {
      finite_difference_.emplace(grid_, settings_.problem, settings_.finite_difference);
      u_fd_.emplace(f_);
    }
  }

  HjOutcome run(const Config& config);

private:
  /// One level of /hj: u(., gamma), its gradient and minimizer, the finite differences; returns
  /// the progress metric.
  std::string append_grid_level(OutputFile& file, double gamma);
  /// One level of /hj/particles: the estimates at every point, against Cole–Hopf when it ran.
  void append_particle_level(OutputFile& file, std::size_t g);

  MPI_Comm comm_;
  std::shared_ptr<const Landscape> landscape_;
  Grid grid_;
  ViscousHjSettings settings_;
  std::size_t dim_;
  GridField f_;
  /// u(., gamma) of the chosen equation at the cell centres.
  GridField grid_solution(double gamma) const;

  std::optional<ColeHopfSolver> cole_hopf_;
  std::optional<Grid> particle_grid_;                ///< the grid's box without mirror images
  std::optional<ColeHopfSolver> particle_reference_; ///< Cole–Hopf on it: what the chains sample
  std::optional<HeatSolver> heat_;
  std::optional<HopfLaxSolver> hopf_lax_;
  std::optional<HamiltonJacobiSolver> finite_difference_;
  std::optional<GridField> u_fd_;
  double max_rhat_;
  HjOutcome outcome_;
};

/// What /hj/u is for each equation.
const char* solution_name(HjEquation equation) {
  switch (equation) {
  case HjEquation::heat:
    return "heat-smoothed f = u(., gamma) of u_t = nu Lap u";
  case HjEquation::inviscid:
    return "Hopf-Lax envelope min_y f(y) + |x - y|^2/(2 gamma) = u(., gamma)";
  case HjEquation::viscous:
    break;
  }
  return "local entropy f_gamma = u(., gamma)";
}

/// long_name and units of /hj, and the names of its table axes.
void describe_hj_output(OutputFile& file, std::size_t dim, HjEquation equation) {
  file.describe_all(
      "hj", {{"f", {"landscape f", "energy"}},
             {"gamma", {"gamma (the time of the HJ equation)", "time"}},
             {"u", {solution_name(equation), "energy"}},
             {"u_fd", {"f_gamma by monotone finite differences", "energy"}},
             {"fd_difference", {"max |u - u_fd|", "energy"}},
             {"minimizer",
              {"minimizer of u, refined below the grid (Newton on the interpolant)", "length"}},
             {"minimizer_cell", {"grid cell of the least u", "length"}},
             {"minimum", {"least u, refined below the grid", "energy"}}});
  file.describe_all("hj/query",
                    {{"points", {"points where u is interpolated from the grid", "length"}},
                     {"u", {"u at the points (quadratic interpolant, O(h^3))", "energy"}},
                     {"grad", {"grad u at the points (interpolant, O(h^2))", "energy/length"}}});
  file.name_axis("hj/minimizer", 1, "coordinate");
  file.name_axis("hj/minimizer_cell", 1, "coordinate");
  // Fixed (point, coordinate) lists and per-level (level, point[, coordinate]) tables.
  for (const char* group : {"hj/query", "hj/particles"}) {
    const std::string prefix = std::string(group) + "/";
    file.name_axis(prefix + "points", 0, "point");
    file.name_axis(prefix + "points", 1, "coordinate");
  }
  for (const char* table : {"query/u", "particles/acceptance", "particles/steps"}) {
    file.name_axis(std::string("hj/") + table, 1, "point");
  }
  for (const char* table : {"query/grad", "particles/grad", "particles/stderr",
                            "particles/pde_grad", "particles/z", "particles/rhat"}) {
    file.name_axis(std::string("hj/") + table, 1, "point");
    file.name_axis(std::string("hj/") + table, 2, "coordinate");
  }
  for (std::size_t a = 0; a < dim; ++a) {
    file.describe("hj/grad/x" + std::to_string(a),
                  {"d u / d x" + std::to_string(a) + " (central differences)", "energy/length"});
  }
  file.describe_all("hj/particles",
                    {{"points", {"points where the particles estimate grad f_gamma", "length"}},
                     {"grad", {"particle estimate of grad f_gamma", "energy/length"}},
                     {"stderr", {"standard error of the estimate", "energy/length"}},
                     {"acceptance", {"MALA acceptance rate per point", "1"}},
                     {"pde_grad",
                      {"grad f_gamma by Cole-Hopf on the box without mirror images (the whole "
                       "space the chains sample)",
                       "energy/length"}},
                     {"z", {"(grad - pde_grad) / stderr", "1"}},
                     {"rhat", {"split-R-hat of the chains per point and axis", "1"}},
                     {"steps", {"steps of every chain, adaptive burn-in included", "1"}}});
}

std::string HjStudy::append_grid_level(OutputFile& file, double gamma) {
  if (finite_difference_) {
    finite_difference_->advance_to(gamma, *u_fd_); // NumericalError: earlier levels are kept
  }
  const GridField u = grid_solution(gamma);
  file.append_scalar("hj/gamma", gamma);
  file.append_field("hj/u", u);
  const std::vector<GridField> gradient = central_gradient(u);
  for (std::size_t a = 0; a < dim_; ++a) {
    file.append_field("hj/grad/x" + std::to_string(a), gradient[a]);
  }
  file.append_row("hj/minimizer_cell", field_minimum(u).location);
  const RefinedMinimum minimum = refined_minimum(u);
  file.append_row("hj/minimizer", minimum.location);
  file.append_scalar("hj/minimum", minimum.value);
  const std::size_t query_count = settings_.query_points.size() / dim_;
  if (query_count > 0) {
    std::vector<double> values;
    std::vector<double> gradients;
    for (std::size_t k = 0; k < query_count; ++k) {
      const FieldPoint point = interpolate(u, settings_.query_points.data() + k * dim_);
      values.push_back(point.value);
      gradients.insert(gradients.end(), point.gradient.begin(), point.gradient.end());
    }
    file.append_row("hj/query/u", values);
    append_table(file, comm_, "hj/query/grad", gradients, dim_);
  }
  std::string metric = "argmin=" + format_real(minimum.location[0]);
  if (cole_hopf_ && finite_difference_) {
    file.append_field("hj/u_fd", *u_fd_);
    const double difference = linf_distance(u, *u_fd_);
    file.append_scalar("hj/fd_difference", difference);
    metric += " |CH-FD|=" + format_real(difference);
  }
  return metric;
}

GridField HjStudy::grid_solution(double gamma) const {
  if (heat_) {
    GridField u(grid_);
    heat_->solve(gamma, u);
    return u;
  }
  if (hopf_lax_) {
    GridField u(grid_);
    hopf_lax_->solve(gamma, u);
    return u;
  }
  return cole_hopf_ ? cole_hopf_->solve(gamma) : *u_fd_;
}

void HjStudy::append_particle_level(OutputFile& file, std::size_t g) {
  const double gamma = settings_.gamma[g];
  const std::size_t point_count = settings_.points.size() / dim_;
  std::vector<double> estimate;
  std::vector<double> standard_error;
  std::vector<double> acceptance;
  std::vector<double> pde;
  std::vector<double> z;
  std::vector<double> rhat;
  std::vector<double> steps;
  const auto flag = [&](const std::string& what) {
    ++outcome_.mismatches;
    if (outcome_.first.empty()) {
      outcome_.first = what;
    }
  };
  for (std::size_t k = 0; k < point_count; ++k) {
    const std::vector<double> x(settings_.points.begin() + static_cast<long>(k * dim_),
                                settings_.points.begin() + static_cast<long>((k + 1) * dim_));
    LocalEntropySampling sampling = settings_.sampling;
    sampling.seed += static_cast<std::uint32_t>(g * point_count + k);
    const LocalEntropyGradient particles =
        estimate_local_entropy_gradient(comm_, landscape_, settings_.problem, gamma, x, sampling);
    estimate.insert(estimate.end(), particles.gradient.begin(), particles.gradient.end());
    standard_error.insert(standard_error.end(), particles.standard_error.begin(),
                          particles.standard_error.end());
    acceptance.push_back(particles.acceptance);
    rhat.insert(rhat.end(), particles.split_rhat.begin(), particles.split_rhat.end());
    steps.push_back(static_cast<double>(particles.steps));
    const std::string where = "gamma = " + format_real(gamma) + ", point " + std::to_string(k);
    for (std::size_t a = 0; a < dim_; ++a) {
      if (particles.split_rhat[a] > max_rhat_) {
        flag("split-R-hat " + format_real(particles.split_rhat[a]) + " > " +
             format_real(max_rhat_) + " along x" + std::to_string(a) + " at " + where + " after " +
             std::to_string(particles.steps) +
             " steps (the chains did not mix: raise hj.burn_in, hj.thin or hj.max_doublings)");
      }
    }
    if (particle_reference_) {
      const HamiltonJacobiPoint exact = particle_reference_->evaluate(x.data(), gamma);
      for (std::size_t a = 0; a < dim_; ++a) {
        pde.push_back(exact.gradient[a]);
        z.push_back((particles.gradient[a] - exact.gradient[a]) / particles.standard_error[a]);
        if (!(std::abs(z.back()) <= 4)) {
          flag("|z| = " + format_real(std::abs(z.back())) + " > 4 against Cole-Hopf along x" +
               std::to_string(a) + " at " + where);
        }
      }
    }
  }
  append_table(file, comm_, "hj/particles/grad", estimate, dim_);
  append_table(file, comm_, "hj/particles/stderr", standard_error, dim_);
  file.append_row("hj/particles/acceptance", acceptance);
  file.append_row("hj/particles/steps", steps);
  append_table(file, comm_, "hj/particles/rhat", rhat, dim_);
  if (particle_reference_) {
    append_table(file, comm_, "hj/particles/pde_grad", pde, dim_);
    append_table(file, comm_, "hj/particles/z", z, dim_);
  }
}

HjOutcome HjStudy::run(const Config& config) {
  finish_setup(config);
  OutputFile file(comm_, config.text("output.file"),
                  {"hj", config.to_ini(), settings_.sampling.seed});
  file.write_grid(grid_);
  file.set_series_axis("hj", "hj/gamma");
  describe_hj_output(file, dim_, settings_.equation);
  file.write_attribute("hj", "landscape", landscape_->describe());
  file.write_attribute("hj", "equation", config.text("hj.equation"));
  file.write_attribute("hj", "nu", settings_.problem.nu);
  file.write_attribute("hj", "method", config.text("hj.method"));
  file.write_field("hj/f", f_);
  const std::size_t point_count = settings_.points.size() / dim_;
  if (point_count > 0) {
    file.write_array("hj/particles/points", settings_.points, {point_count, dim_});
  }
  const std::size_t query_count = settings_.query_points.size() / dim_;
  if (query_count > 0) {
    file.write_array("hj/query/points", settings_.query_points, {query_count, dim_});
  }
  ProgressReporter progress(comm_, "hj", settings_.gamma.back());
  for (std::size_t g = 0; g < settings_.gamma.size(); ++g) {
    const std::string metric = append_grid_level(file, settings_.gamma[g]);
    if (point_count > 0) {
      append_particle_level(file, g);
    }
    file.flush();
    progress.update(static_cast<long>(g + 1), settings_.gamma[g], metric);
  }
  progress.finish();
  file.write_attribute("hj/particles", "mismatches", std::int64_t{outcome_.mismatches});
  file.finish();
  if (outcome_.mismatches > 0) {
    log_warning(comm_, "hj: " + std::to_string(outcome_.mismatches) +
                           " particle estimate(s) did not mix or are off by more than 4 standard "
                           "errors; first: " +
                           outcome_.first);
  }
  log_info(comm_, "hj: wrote " + file.path());
  return outcome_;
}

} // namespace

HjOutcome run_hj_study(MPI_Comm comm, const Config& config) {
  return HjStudy(comm, config).run(config);
}

} // namespace relax
