#include "solvers/spectrum_run.hpp"

#include "core/log.hpp"
#include "core/mpi.hpp"
#include "core/setup_checks.hpp"
#include "core/validate.hpp"
#include "grids/grid_options.hpp"
#include "io/output_file.hpp"
#include "models/drift.hpp"
#include "models/landscape_options.hpp"
#include "models/problem_options.hpp"
#include "models/schedule.hpp"
#include "solvers/fokker_planck.hpp"
#include "solvers/spectrum.hpp"

#include <cblas.h>

#include <cstdint>
#include <cstdio>

namespace relax {

OptionSet spectrum_run_options() {
  OptionSet options;
  declare_problem_options(options);
  options
      .integer("spectrum.count", 6, "",
               "K: the slowest modes of the Fokker-Planck generator wanted (rate 0 is the "
               "stationary state of a conserving box)")
      .real("spectrum.time", 0.0, "time", "the operator at beta(spectrum.time)")
      .real("spectrum.tolerance", 1e-12, "", "SLEPc's convergence tolerance");
  declare_output_options(options, "spectrum.h5");
  return options;
}

void run_spectrum(MPI_Comm comm, const Config& config) {
  openblas_set_num_threads(1); // as relax fp: BLAS threads on top of MPI ranks oversubscribe
  const auto landscape = make_landscape(config, whole_dataset_reader(comm));
  const Grid grid = make_grid(comm, config, landscape->dim());
  const Drift drift = make_drift(config, landscape);
  const TemperatureSchedule schedule = make_temperature_schedule(config);
  const double time = require_non_negative("spectrum.time", config.real("spectrum.time"));
  check_schedule(schedule, time);
  SpectrumOptions options;
  options.count =
      static_cast<int>(require_at_least("spectrum.count", config.integer("spectrum.count"), 1));
  options.tolerance = require_positive("spectrum.tolerance", config.real("spectrum.tolerance"));
  const FokkerPlanckSolver solver(grid, drift, TemperatureSchedule::constant(schedule.beta(time)));
  const Spectrum spectrum = slowest_modes(solver, options);

  finish_setup(config);
  OutputFile file(comm, config.text("output.file"), {"spectrum", config.to_ini(), 0});
  file.write_grid(grid);
  const std::string group = "spectrum";
  std::vector<double> real;
  std::vector<double> imag;
  std::vector<double> residual;
  for (const SpectralMode& mode : spectrum.modes) {
    real.push_back(mode.rate.real());
    imag.push_back(mode.rate.imag());
    residual.push_back(mode.residual);
    file.append_field(group + "/mode", mode.real);
    if (!spectrum.is_symmetric) {
      file.append_field(group + "/mode_imag", mode.imag);
    }
  }
  const std::size_t k = spectrum.modes.size();
  file.write_array(group + "/rate", real, {k});
  file.write_array(group + "/rate_imag", imag, {k});
  file.write_array(group + "/residual", residual, {k});
  const auto describe = [&](const std::string& dataset, const std::string& units,
                            const std::string& long_name) {
    file.write_attribute(group + "/" + dataset, "units", units);
    file.write_attribute(group + "/" + dataset, "long_name", long_name);
  };
  describe("rate", "1/time", "Re lambda_k, eigenvalue of -A: rho(t) ~ exp(-lambda_k t) rho_k");
  describe("rate_imag", "1/time", "Im lambda_k (0 for a gradient drift)");
  describe("residual", "", "||(-A) rho_k - lambda_k rho_k|| / (||A||_inf ||rho_k||)");
  describe("mode", "1/length^dim",
           spectrum.is_symmetric ? "Re rho_k, int rho_k^2 / pi = 1 (mode 0 is pi)"
                                 : "Re rho_k, int |rho_k|^2 = 1");
  if (!spectrum.is_symmetric) {
    describe("mode_imag", "1/length^dim", "Im rho_k");
  }
  file.write_attribute(group, "beta", spectrum.beta);
  file.write_attribute(group, "time", time);
  file.write_attribute(group, "symmetric", std::int64_t{spectrum.is_symmetric ? 1 : 0});
  file.write_attribute(group, "landscape", landscape->describe());
  file.write_attribute(group, "method",
                       spectrum.is_symmetric
                           ? "SLEPc Krylov-Schur, shift-and-invert, on S = G^-1/2 (-A) G^1/2 "
                             "(gradient drift: Hermitian)"
                           : "SLEPc Krylov-Schur, shift-and-invert, on -A (non-symmetric)");

  if (comm_rank(comm) == 0) {
    std::printf("spectrum: %s, beta = %g, %s problem, the %zu slowest modes of the Fokker-Planck "
                "generator\n",
                landscape->describe().c_str(), spectrum.beta,
                spectrum.is_symmetric ? "symmetrized (gradient drift)" : "non-symmetric", k);
    std::printf("   k        Re lambda        Im lambda   residual\n");
    for (std::size_t i = 0; i < k; ++i) {
      std::printf("%4zu  %15.9g  %15.9g  %9.2e\n", i, real[i], imag[i], residual[i]);
    }
    std::fflush(stdout);
  }
  file.finish();
  log_info(comm, "spectrum: wrote " + file.path());
}

} // namespace relax
