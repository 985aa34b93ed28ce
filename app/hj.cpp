// `relax hj`: the local entropy f_gamma = u(., gamma) of a landscape, u_t + |grad u|^2/2 = nu Lap
// u, u(., 0) = f, on a sequence of gamma (scoping) in one run, by Cole–Hopf and/or monotone finite
// differences, with particle estimates of grad f_gamma at given points. Writes /grid, /hj/f and,
// one level per gamma: /hj/gamma, /hj/u, /hj/grad/x<a>, /hj/minimizer, /hj/minimum; with both
// methods /hj/u_fd and /hj/fd_difference (max |u - u_fd|); with points /hj/particles/{points,
// grad, stderr, acceptance} and, with Cole–Hopf, /hj/particles/{pde_grad, z} (z = (particles -
// Cole–Hopf) / stderr).
#include "app/commands.hpp"

#include "app/common_options.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/mpi.hpp"
#include "core/progress.hpp"
#include "grids/grid_options.hpp"
#include "io/output_file.hpp"
#include "models/landscape_options.hpp"
#include "solvers/viscous_hj.hpp"
#include "solvers/viscous_hj_options.hpp"
#include "solvers/viscous_hj_particles.hpp"

#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace relax::app {

OptionSet hj_options() {
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

} // namespace

int run_hj(const Session& session, const Config& config) {
  // Everything that can reject the input runs before the output file exists.
  const MPI_Comm comm = session.comm();
  const auto landscape = make_landscape(config);
  const Grid grid = make_grid(comm, config, landscape->dim());
  const ViscousHjSettings settings = make_viscous_hj_settings(config, grid);
  const auto dim = static_cast<std::size_t>(grid.dim());
  GridField f(grid);
  f.fill([&](const double* x) { return landscape->value(x); });
  double f_sum = 0; // NaN or Inf when any value is
  RELAX_PETSC(VecNorm(f.vec(), NORM_1, &f_sum));
  if (!std::isfinite(f_sum)) {
    throw InputError("landscape " + landscape->describe() +
                     " is not finite at every cell centre of the grid");
  }
  std::optional<ColeHopfSolver> cole_hopf;
  if (settings.use_cole_hopf) {
    cole_hopf.emplace(grid, f, settings.problem);
  }
  std::optional<HamiltonJacobiSolver> finite_difference;
  std::optional<GridField> u_fd;
  if (settings.use_finite_difference) {
    finite_difference.emplace(grid, settings.problem, settings.finite_difference);
    u_fd.emplace(f);
  }

  OutputFile file(comm, config.text("output.file"),
                  {"hj", config.to_ini(), settings.sampling.seed});
  file.write_grid(grid);
  file.write_attribute("hj", "landscape", landscape->describe());
  file.write_attribute("hj", "nu", settings.problem.nu);
  file.write_attribute("hj", "method", config.text("hj.method"));
  file.write_field("hj/f", f);
  const std::size_t point_count = settings.points.size() / dim;
  if (point_count > 0) {
    file.write_array("hj/particles/points", settings.points, {point_count, dim});
  }

  ProgressReporter progress(comm, "hj", settings.gamma.back());
  for (std::size_t g = 0; g < settings.gamma.size(); ++g) {
    const double gamma = settings.gamma[g];
    if (finite_difference) {
      finite_difference->advance_to(gamma, *u_fd); // NumericalError: earlier levels are kept
    }
    const GridField u = cole_hopf ? cole_hopf->solve(gamma) : *u_fd;
    file.append_scalar("hj/gamma", gamma);
    file.append_field("hj/u", u);
    const std::vector<GridField> gradient = central_gradient(u);
    for (std::size_t a = 0; a < dim; ++a) {
      file.append_field("hj/grad/x" + std::to_string(a), gradient[a]);
    }
    const FieldMinimum minimum = field_minimum(u);
    file.append_row("hj/minimizer", minimum.location);
    file.append_scalar("hj/minimum", minimum.value);
    std::string metric = "argmin=" + format_real(minimum.location[0]);
    if (cole_hopf && finite_difference) {
      file.append_field("hj/u_fd", *u_fd);
      const double difference = linf_distance(u, *u_fd);
      file.append_scalar("hj/fd_difference", difference);
      metric += " |CH-FD|=" + format_real(difference);
    }
    if (point_count > 0) {
      std::vector<double> estimate;
      std::vector<double> standard_error;
      std::vector<double> acceptance;
      std::vector<double> pde;
      std::vector<double> z;
      for (std::size_t k = 0; k < point_count; ++k) {
        const std::vector<double> x(settings.points.begin() + static_cast<long>(k * dim),
                                    settings.points.begin() + static_cast<long>((k + 1) * dim));
        LocalEntropySampling sampling = settings.sampling;
        sampling.seed += static_cast<std::uint32_t>(g * point_count + k);
        const LocalEntropyGradient particles =
            estimate_local_entropy_gradient(comm, landscape, settings.problem, gamma, x, sampling);
        estimate.insert(estimate.end(), particles.gradient.begin(), particles.gradient.end());
        standard_error.insert(standard_error.end(), particles.standard_error.begin(),
                              particles.standard_error.end());
        acceptance.push_back(particles.acceptance);
        if (cole_hopf) {
          const HamiltonJacobiPoint exact = cole_hopf->evaluate(x.data(), gamma);
          for (std::size_t a = 0; a < dim; ++a) {
            pde.push_back(exact.gradient[a]);
            z.push_back((particles.gradient[a] - exact.gradient[a]) / particles.standard_error[a]);
          }
        }
      }
      append_table(file, comm, "hj/particles/grad", estimate, dim);
      append_table(file, comm, "hj/particles/stderr", standard_error, dim);
      file.append_row("hj/particles/acceptance", acceptance);
      if (cole_hopf) {
        append_table(file, comm, "hj/particles/pde_grad", pde, dim);
        append_table(file, comm, "hj/particles/z", z, dim);
      }
    }
    file.flush();
    progress.update(static_cast<long>(g + 1), gamma, metric);
  }
  progress.finish();
  file.finish();
  log_info(comm, "hj: wrote " + file.path());
  return 0;
}

} // namespace relax::app
