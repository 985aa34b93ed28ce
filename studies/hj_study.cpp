#include "studies/hj_study.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/mpi.hpp"
#include "core/progress.hpp"
#include "core/setup_checks.hpp"
#include "grids/grid_options.hpp"
#include "io/output_file.hpp"
#include "models/landscape_options.hpp"
#include "solvers/viscous_hj.hpp"
#include "studies/viscous_hj_options.hpp"
#include "studies/viscous_hj_particles.hpp"

#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace relax {

OptionSet hj_study_options() {
  OptionSet options;
  declare_landscape_options(options);
  declare_grid_options(options);
  declare_viscous_hj_options(options);
  declare_output_options(options, "hj.h5");
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
      : comm_(comm), landscape_(make_landscape(config)),
        grid_(make_grid(comm, config, landscape_->dim())),
        settings_(make_viscous_hj_settings(config, grid_)),
        dim_(static_cast<std::size_t>(grid_.dim())), f_(grid_) {
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
    if (settings_.use_finite_difference) {
      finite_difference_.emplace(grid_, settings_.problem, settings_.finite_difference);
      u_fd_.emplace(f_);
    }
  }

  void run(const Config& config);

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
  std::optional<ColeHopfSolver> cole_hopf_;
  std::optional<HamiltonJacobiSolver> finite_difference_;
  std::optional<GridField> u_fd_;
};

std::string HjStudy::append_grid_level(OutputFile& file, double gamma) {
  if (finite_difference_) {
    finite_difference_->advance_to(gamma, *u_fd_); // NumericalError: earlier levels are kept
  }
  const GridField u = cole_hopf_ ? cole_hopf_->solve(gamma) : *u_fd_;
  file.append_scalar("hj/gamma", gamma);
  file.append_field("hj/u", u);
  const std::vector<GridField> gradient = central_gradient(u);
  for (std::size_t a = 0; a < dim_; ++a) {
    file.append_field("hj/grad/x" + std::to_string(a), gradient[a]);
  }
  const FieldMinimum minimum = field_minimum(u);
  file.append_row("hj/minimizer", minimum.location);
  file.append_scalar("hj/minimum", minimum.value);
  std::string metric = "argmin=" + format_real(minimum.location[0]);
  if (cole_hopf_ && finite_difference_) {
    file.append_field("hj/u_fd", *u_fd_);
    const double difference = linf_distance(u, *u_fd_);
    file.append_scalar("hj/fd_difference", difference);
    metric += " |CH-FD|=" + format_real(difference);
  }
  return metric;
}

void HjStudy::append_particle_level(OutputFile& file, std::size_t g) {
  const double gamma = settings_.gamma[g];
  const std::size_t point_count = settings_.points.size() / dim_;
  std::vector<double> estimate;
  std::vector<double> standard_error;
  std::vector<double> acceptance;
  std::vector<double> pde;
  std::vector<double> z;
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
    if (cole_hopf_) {
      const HamiltonJacobiPoint exact = cole_hopf_->evaluate(x.data(), gamma);
      for (std::size_t a = 0; a < dim_; ++a) {
        pde.push_back(exact.gradient[a]);
        z.push_back((particles.gradient[a] - exact.gradient[a]) / particles.standard_error[a]);
      }
    }
  }
  append_table(file, comm_, "hj/particles/grad", estimate, dim_);
  append_table(file, comm_, "hj/particles/stderr", standard_error, dim_);
  file.append_row("hj/particles/acceptance", acceptance);
  if (cole_hopf_) {
    append_table(file, comm_, "hj/particles/pde_grad", pde, dim_);
    append_table(file, comm_, "hj/particles/z", z, dim_);
  }
}

void HjStudy::run(const Config& config) {
  finish_setup(config);
  OutputFile file(comm_, config.text("output.file"),
                  {"hj", config.to_ini(), settings_.sampling.seed});
  file.write_grid(grid_);
  file.write_attribute("hj", "landscape", landscape_->describe());
  file.write_attribute("hj", "nu", settings_.problem.nu);
  file.write_attribute("hj", "method", config.text("hj.method"));
  file.write_field("hj/f", f_);
  const std::size_t point_count = settings_.points.size() / dim_;
  if (point_count > 0) {
    file.write_array("hj/particles/points", settings_.points, {point_count, dim_});
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
  file.finish();
  log_info(comm_, "hj: wrote " + file.path());
}

} // namespace

void run_hj_study(MPI_Comm comm, const Config& config) {
  HjStudy(comm, config).run(config);
}

} // namespace relax
