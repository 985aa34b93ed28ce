#include "solvers/fokker_planck_setup.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/mpi.hpp"
#include "core/validate.hpp"
#include "io/output_file.hpp"

#include <algorithm>
#include <cmath>

namespace relax {

void declare_fokker_planck_options(OptionSet& options) {
  options.real("fp.dt", 1e-2, "time",
               "time step of the Fokker-Planck solver, fixed for every TS type (the first step "
               "only with -fp_ts_adapt_type basic)");
}

FokkerPlanckOptions make_fokker_planck_options(const Config& config) {
  FokkerPlanckOptions options;
  options.dt = config.positive_real("fp.dt", "a time step");
  return options;
}

namespace {

/// Mass of N(mean, std^2) in [a, b], accurate in both tails (erfc where erf would cancel).
double gaussian_mass(double a, double b, double mean, double std) {
  const double s = std * std::sqrt(2.0);
  const double u = (a - mean) / s;
  const double v = (b - mean) / s;
  if (u > 0) {
    return 0.5 * (std::erfc(u) - std::erfc(v));
  }
  if (v < 0) {
    return 0.5 * (std::erfc(-v) - std::erfc(-u));
  }
  return 0.5 * (std::erf(v) - std::erf(u));
}

void fill_gaussian(const Grid& grid, const InitialDistribution& initial, GridField& rho) {
  petsc::VecArray values(rho.vec());
  grid.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
    double mass = 1;
    for (int a = 0; a < grid.dim(); ++a) {
      const Axis& axis = grid.axis(a);
      const auto k = static_cast<std::size_t>(a);
      mass *= gaussian_mass(axis.face(index[k]), axis.face(index[k] + 1), initial.mean[k],
                            initial.std[k]);
    }
    values[offset] = mass / grid.cell_volume();
  });
}

void fill_point(const Grid& grid, const InitialDistribution& initial, GridField& rho) {
  std::array<int, 3> cell{};
  if (!grid.locate(initial.mean.data(), cell)) {
    throw InputError("initial.mean = '" + join_reals(initial.mean) +
                     "': the point mass lies outside the grid box");
  }
  petsc::VecArray values(rho.vec());
  grid.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
    if (index == cell) {
      values[offset] = 1.0 / grid.cell_volume();
    }
  });
}

void read_density_file(const Grid& grid, const InitialDistribution& initial, GridField& rho) {
  const InputFile file(grid.comm(), initial.file);
  file.read_field(initial.dataset, rho);
  const petsc::ConstVecArray values(rho.vec());
  const bool is_bad = std::any_of(values.begin(), values.end(),
                                  [](double v) { return !(v >= 0) || !std::isfinite(v); });
  if (any_rank(grid.comm(), is_bad)) {
    throw InputError("initial.file '" + initial.file + "', dataset '" + initial.dataset +
                     "': negative or non-finite density values; expected a density >= 0");
  }
}

} // namespace

GridField project_initial_density(const Grid& grid, const InitialDistribution& initial) {
  GridField rho(grid);
  switch (initial.kind) {
  case InitialDistribution::Kind::gaussian:
    fill_gaussian(grid, initial, rho);
    break;
  case InitialDistribution::Kind::uniform:
    RELAX_PETSC(VecSet(rho.vec(), 1.0));
    break;
  case InitialDistribution::Kind::point:
    fill_point(grid, initial, rho);
    break;
  case InitialDistribution::Kind::file:
    read_density_file(grid, initial, rho);
    break;
  }
  const double mass = integral(rho);
  if (initial.kind == InitialDistribution::Kind::file) {
    if (!(mass > 0)) {
      throw InputError("initial.file '" + initial.file + "', dataset '" + initial.dataset +
                       "': the density has zero mass");
    }
    return rho;
  }
  if (!(mass > 1e-12)) {
    throw InputError("initial.mean = '" + join_reals(initial.mean) + "', initial.std = '" +
                     join_reals(initial.std) + "': the Gaussian has no mass in the grid box");
  }
  if (initial.kind == InitialDistribution::Kind::gaussian && mass < 0.999) {
    log_warning(grid.comm(), "the initial Gaussian has only " + format_real(mass) +
                                 " of its mass in the grid box; renormalized to 1");
  }
  RELAX_PETSC(VecScale(rho.vec(), 1.0 / mass));
  return rho;
}

void append_fokker_planck_output(OutputFile& file, const FokkerPlanckDiagnostics& diagnostics,
                                 long steps, const GridField& rho, const std::string& group) {
  const std::string prefix = group + "/";
  const std::string density = density_units(rho.grid().dim());
  file.describe_all(
      group, {{"time", {"time", "time"}},
              {"beta", {"inverse temperature beta(t)", "1/energy"}},
              {"density", {"density rho (cell averages)", density}},
              {"mass", {"mass: integral of rho", "1"}},
              {"outflow", {"mass left through absorbing faces since t = 0", "1"}},
              {"min_density", {"smallest cell value of rho", density}},
              {"free_energy", {"free energy: integral of rho (f + log(rho) / beta)", "energy"}},
              {"relative_entropy", {"relative entropy KL(rho || Gibbs(beta))", "1"}},
              {"l1_to_gibbs", {"L1 distance to Gibbs(beta)", "1"}},
              {"steps", {"time steps taken since t = 0", "count"}}});
  file.append_scalar(prefix + "time", diagnostics.time);
  file.append_scalar(prefix + "beta", diagnostics.beta);
  file.append_field(prefix + "density", rho);
  file.append_scalar(prefix + "mass", diagnostics.mass);
  file.append_scalar(prefix + "outflow", diagnostics.outflow);
  file.append_scalar(prefix + "min_density", diagnostics.min_density);
  file.append_scalar(prefix + "free_energy", diagnostics.free_energy);
  file.append_scalar(prefix + "relative_entropy", diagnostics.relative_entropy);
  file.append_scalar(prefix + "l1_to_gibbs", diagnostics.l1_to_gibbs);
  file.append_count(prefix + "steps", steps);
  file.flush();
}

} // namespace relax
