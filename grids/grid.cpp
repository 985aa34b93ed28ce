#include "grids/grid.hpp"

#include "grids/dmda_ordering.hpp"

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/mpi.hpp"

#include <petscdmda.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace relax {

Boundary parse_boundary(const std::string& text, const std::string& key) {
  if (text == "reflecting") {
    return Boundary::reflecting;
  }
  if (text == "periodic") {
    return Boundary::periodic;
  }
  if (text == "absorbing") {
    return Boundary::absorbing;
  }
  throw InputError(key + " = '" + text + "': expected reflecting, periodic or absorbing");
}

std::string to_string(Boundary boundary) {
  switch (boundary) {
  case Boundary::reflecting:
    return "reflecting";
  case Boundary::periodic:
    return "periodic";
  case Boundary::absorbing:
    return "absorbing";
  }
  return "?";
}

// ---- Grid ---------------------------------------------------------------------------------------

namespace {

void validate(const std::vector<Axis>& axes) {
  if (axes.empty() || axes.size() > 3) {
    throw InputError("grid: " + std::to_string(axes.size()) + " axes: expected 1, 2 or 3");
  }
  double cells = 1;
  for (std::size_t a = 0; a < axes.size(); ++a) {
    const Axis& axis = axes[a];
    const std::string name = "grid axis " + std::to_string(a);
    if (axis.n < 2) {
      throw InputError(name + ": n = " + std::to_string(axis.n) + ": expected n >= 2");
    }
    // hi - lo must be finite too, or h() and every centre would be infinite.
    if (!(std::isfinite(axis.lo) && std::isfinite(axis.hi) && axis.lo < axis.hi &&
          std::isfinite(axis.hi - axis.lo))) {
      throw InputError(name + ": lo = " + format_real(axis.lo) + ", hi = " + format_real(axis.hi) +
                       ": expected finite lo < hi");
    }
    cells *= axis.n;
  }
  if (cells > static_cast<double>(std::numeric_limits<PetscInt>::max())) {
    throw InputError("grid: " + format_real(cells) + " cells: expected at most " +
                     std::to_string(std::numeric_limits<PetscInt>::max()) +
                     " (PETSc was built with " + std::to_string(8 * sizeof(PetscInt)) +
                     "-bit indices)");
  }
}

DMBoundaryType dm_boundary(const Axis& axis) {
  // Reflecting and absorbing walls are flux conditions on the boundary faces that the solvers
  // apply one-sidedly, so they need no ghost cells beyond the box.
  return axis.boundary == Boundary::periodic ? DM_BOUNDARY_PERIODIC : DM_BOUNDARY_NONE;
}

/// DMDASetUniformCoordinates spaces points by (max - min) / (n - 1), or / n on a periodic axis;
/// these bounds put them on the cell centres, so PETSc's viewers show the field where it lives.
std::array<double, 2> centre_coordinate_bounds(const Axis& axis) {
  const double last =
      axis.boundary == Boundary::periodic ? axis.centre(axis.n) : axis.centre(axis.n - 1);
  return {axis.centre(0), last};
}

} // namespace

Grid::Grid(MPI_Comm comm, std::vector<Axis> axes) : comm_(comm), axes_(std::move(axes)) {
  validate(axes_);
  // Sizes come from the [grid] keys only: no DMSetFromOptions, so -da_grid_x cannot make the DM
  // disagree with axes_. PETSc chooses the process grid.
  const int d = dim();
  std::array<Axis, 3> ax{};
  for (int a = 0; a < 3; ++a) {
    ax[static_cast<std::size_t>(a)] = a < d ? axis(a) : Axis{0, 1, 1, Boundary::reflecting};
  }
  const PetscInt dof = 1;
  const PetscInt stencil_width = 1;
  if (d == 1) {
    RELAX_PETSC(
        DMDACreate1d(comm_, dm_boundary(ax[0]), ax[0].n, dof, stencil_width, nullptr, dm_.out()));
  } else if (d == 2) {
    RELAX_PETSC(DMDACreate2d(comm_, dm_boundary(ax[0]), dm_boundary(ax[1]), DMDA_STENCIL_STAR,
                             ax[0].n, ax[1].n, PETSC_DECIDE, PETSC_DECIDE, dof, stencil_width,
                             nullptr, nullptr, dm_.out()));
  } else {
    RELAX_PETSC(DMDACreate3d(comm_, dm_boundary(ax[0]), dm_boundary(ax[1]), dm_boundary(ax[2]),
                             DMDA_STENCIL_STAR, ax[0].n, ax[1].n, ax[2].n, PETSC_DECIDE,
                             PETSC_DECIDE, PETSC_DECIDE, dof, stencil_width, nullptr, nullptr,
                             nullptr, dm_.out()));
  }
  RELAX_PETSC(DMSetUp(dm_));
  const auto x = centre_coordinate_bounds(ax[0]);
  const auto y = centre_coordinate_bounds(ax[1]);
  const auto z = centre_coordinate_bounds(ax[2]);
  RELAX_PETSC(DMDASetUniformCoordinates(dm_, x[0], x[1], y[0], y[1], z[0], z[1]));

  PetscInt start[3] = {0, 0, 0};
  PetscInt size[3] = {1, 1, 1};
  RELAX_PETSC(DMDAGetCorners(dm_, &start[0], &start[1], &start[2], &size[0], &size[1], &size[2]));
  for (int a = 0; a < 3; ++a) {
    owned_.start[static_cast<std::size_t>(a)] = static_cast<int>(start[a]);
    owned_.size[static_cast<std::size_t>(a)] = static_cast<int>(size[a]);
  }
}

std::size_t Grid::cell_count() const {
  std::size_t count = 1;
  for (const Axis& axis : axes_) {
    count *= static_cast<std::size_t>(axis.n);
  }
  return count;
}

double Grid::cell_volume() const {
  double volume = 1;
  for (const Axis& axis : axes_) {
    volume *= axis.h();
  }
  return volume;
}

std::array<int, 3> Grid::shape() const {
  std::array<int, 3> shape{1, 1, 1};
  for (int a = 0; a < dim(); ++a) {
    shape[static_cast<std::size_t>(a)] = axis(a).n;
  }
  return shape;
}

void Grid::centre(const std::array<int, 3>& index, double* x) const {
  for (int a = 0; a < dim(); ++a) {
    x[a] = axis(a).centre(index[static_cast<std::size_t>(a)]);
  }
}

bool Grid::locate(const double* x, std::array<int, 3>& index) const {
  index = {0, 0, 0};
  for (int a = 0; a < dim(); ++a) {
    const Axis& ax = axis(a);
    const double v = x[a];
    if (!(v >= ax.lo && v <= ax.hi)) { // also false for NaN
      return false;
    }
    // The division is a guess that may be off by one next to a face; the faces themselves, as
    // Axis::face computes them, decide, so a point on a face always goes to the upper cell.
    int i = std::min(static_cast<int>((v - ax.lo) / ax.h()), ax.n - 1);
    while (i + 1 < ax.n && v >= ax.face(i + 1)) {
      ++i;
    }
    while (i > 0 && v < ax.face(i)) {
      --i;
    }
    index[static_cast<std::size_t>(a)] = i;
  }
  return true;
}

DmdaOrdering petsc_ordering(const Grid& grid) {
  PetscInt blocks[3] = {1, 1, 1};
  RELAX_PETSC(DMDAGetInfo(grid.dm(), nullptr, nullptr, nullptr, nullptr, &blocks[0], &blocks[1],
                          &blocks[2], nullptr, nullptr, nullptr, nullptr, nullptr, nullptr));
  const PetscInt* ranges[3] = {nullptr, nullptr, nullptr};
  RELAX_PETSC(DMDAGetOwnershipRanges(grid.dm(), &ranges[0], &ranges[1], &ranges[2]));
  std::array<std::vector<int>, 3> sizes;
  for (int a = 0; a < 3; ++a) {
    auto& s = sizes[static_cast<std::size_t>(a)];
    if (a >= grid.dim()) {
      s = {1};
      continue;
    }
    for (PetscInt b = 0; b < blocks[a]; ++b) {
      s.push_back(static_cast<int>(ranges[a][b]));
    }
  }
  return DmdaOrdering(sizes);
}

bool same_layout(const Grid& a, const Grid& b) {
  if (&a == &b) {
    return true;
  }
  const auto equal = [](const Axis& u, const Axis& v) {
    return u.lo == v.lo && u.hi == v.hi && u.n == v.n && u.boundary == v.boundary;
  };
  if (!std::equal(a.axes().begin(), a.axes().end(), b.axes().begin(), b.axes().end(), equal)) {
    return false;
  }
  int comparison = MPI_UNEQUAL;
  RELAX_MPI(MPI_Comm_compare(a.comm(), b.comm(), &comparison));
  return comparison == MPI_IDENT || comparison == MPI_CONGRUENT;
}

// ---- GridField ----------------------------------------------------------------------------------

namespace {

void require_same_layout(const Grid& a, const Grid& b, const char* operation) {
  if (!same_layout(a, b)) {
    throw Error(std::string(operation) + ": the fields live on different grids");
  }
}

} // namespace

GridField::GridField(const Grid& grid) : grid_(&grid) {
  RELAX_PETSC(DMCreateGlobalVector(grid.dm(), vec_.out()));
  RELAX_PETSC(VecSet(vec_, 0.0));
}

GridField::GridField(const GridField& other) : grid_(other.grid_) {
  RELAX_PETSC(VecDuplicate(other.vec_, vec_.out()));
  RELAX_PETSC(VecCopy(other.vec_, vec_));
}

GridField& GridField::operator=(const GridField& other) {
  if (this == &other) {
    return *this;
  }
  if (!vec_) { // a moved-from field takes the other's layout
    grid_ = other.grid_;
    RELAX_PETSC(VecDuplicate(other.vec_, vec_.out()));
  }
  require_same_layout(*grid_, *other.grid_, "GridField assignment");
  RELAX_PETSC(VecCopy(other.vec_, vec_));
  return *this;
}

// ---- Diagnostics --------------------------------------------------------------------------------

namespace {

/// The exact global sum over cells of term(a_i, b_i).
template <typename Term> double sum_cells(const GridField& a, const GridField& b, Term term) {
  require_same_layout(a.grid(), b.grid(), "grid diagnostic");
  const petsc::ConstVecArray u(a.vec());
  const petsc::ConstVecArray v(b.vec());
  ExactSum sum;
  for (std::size_t i = 0; i < u.size(); ++i) {
    sum.add(term(u[i], v[i]));
  }
  return allreduce_value(a.grid().comm(), sum);
}

} // namespace

bool is_finite(const GridField& field) {
  const petsc::ConstVecArray values(field.vec());
  const bool local =
      std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
  return !any_rank(field.grid().comm(), !local);
}

double integral(const GridField& field) {
  return sum_cells(field, field, [](double u, double) { return u; }) * field.grid().cell_volume();
}

Moments moments(const GridField& rho) {
  const Grid& grid = rho.grid();
  const auto d = static_cast<std::size_t>(grid.dim());
  const petsc::ConstVecArray values(rho.vec());
  std::array<double, 3> x{};

  // Pass 1: mass and first moments. sums[0] = sum rho, sums[1 + a] = sum rho x_a.
  std::vector<ExactSum> sums(1 + d);
  grid.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
    grid.centre(index, x.data());
    sums[0].add(values[offset]);
    for (std::size_t a = 0; a < d; ++a) {
      sums[1 + a].add(values[offset] * x[a]);
    }
  });
  allreduce(grid.comm(), sums.data(), sums.size());
  const double total = sums[0].value();
  Moments result;
  result.mass = total * grid.cell_volume();
  for (std::size_t a = 0; a < d; ++a) {
    result.mean.push_back(sums[1 + a].value() / total);
  }

  // Pass 2: central second moments about the mean just found (no cancellation of E[x^2] - m^2).
  std::vector<ExactSum> central(d * d);
  grid.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
    grid.centre(index, x.data());
    for (std::size_t a = 0; a < d; ++a) {
      for (std::size_t b = a; b < d; ++b) {
        central[a * d + b].add(values[offset] * (x[a] - result.mean[a]) * (x[b] - result.mean[b]));
      }
    }
  });
  allreduce(grid.comm(), central.data(), central.size());
  result.covariance.assign(d * d, 0.0);
  for (std::size_t a = 0; a < d; ++a) {
    for (std::size_t b = a; b < d; ++b) {
      result.covariance[a * d + b] = result.covariance[b * d + a] =
          central[a * d + b].value() / total;
    }
  }
  return result;
}

double l1_distance(const GridField& a, const GridField& b) {
  return sum_cells(a, b, [](double u, double v) { return std::fabs(u - v); }) *
         a.grid().cell_volume();
}

double l2_distance(const GridField& a, const GridField& b) {
  return std::sqrt(sum_cells(a, b, [](double u, double v) { return (u - v) * (u - v); }) *
                   a.grid().cell_volume());
}

double linf_distance(const GridField& a, const GridField& b) {
  require_same_layout(a.grid(), b.grid(), "linf_distance");
  const petsc::ConstVecArray u(a.vec());
  const petsc::ConstVecArray v(b.vec());
  // {max |u - v| over the non-NaN cells, 1 if some cell is NaN}: MPI_MAX ignores neither.
  double local[2] = {0.0, 0.0};
  for (std::size_t i = 0; i < u.size(); ++i) {
    const double d = std::fabs(u[i] - v[i]);
    if (std::isnan(d)) {
      local[1] = 1.0;
    } else {
      local[0] = std::max(local[0], d);
    }
  }
  RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, local, 2, MPI_DOUBLE, MPI_MAX, a.grid().comm()));
  return local[1] > 0 ? std::numeric_limits<double>::quiet_NaN() : local[0];
}

double total_variation(const GridField& a, const GridField& b) {
  return 0.5 * l1_distance(a, b);
}

double kl_divergence(const GridField& p, const GridField& q) {
  require_same_layout(p.grid(), q.grid(), "kl_divergence");
  const petsc::ConstVecArray u(p.vec());
  const petsc::ConstVecArray v(q.vec());
  // sums[0]: the finite terms; sums[1]: how many cells have q = 0 < p (an infinite term, which
  // ExactSum would turn into NaN).
  ExactSum sums[2];
  for (std::size_t i = 0; i < u.size(); ++i) {
    if (u[i] == 0) {
      continue; // 0 log 0 = 0, whatever q is
    }
    if (v[i] == 0 && u[i] > 0) {
      sums[1].add(1.0);
      continue;
    }
    // log p - log q, not log(p/q): the ratio can overflow where both logs are finite.
    sums[0].add(u[i] * (std::log(u[i]) - std::log(v[i])));
  }
  allreduce(p.grid().comm(), sums, 2);
  const double finite = sums[0].value() * p.grid().cell_volume();
  if (std::isnan(finite)) {
    return finite;
  }
  return sums[1].value() > 0 ? std::numeric_limits<double>::infinity() : finite;
}

double hellinger_distance(const GridField& p, const GridField& q) {
  const double sum = sum_cells(p, q, [](double u, double v) {
    const double d = std::sqrt(u) - std::sqrt(v);
    return d * d;
  });
  return std::sqrt(0.5 * sum * p.grid().cell_volume());
}

} // namespace relax
