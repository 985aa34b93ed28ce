// The Cartesian cell-centred grid that carries every field in relax: PDE densities, particle
// histograms and grid-interpolated controls (docs/theory.md). 1–3 axes, each uniform on [lo, hi]
// with n cells and its own boundary kind, distributed over MPI ranks by a PETSc DMDA (one dof, star
// stencil of width 1). Memory order of a rank's owned cells is x fastest, then y, then z, and the
// HDF5 datasets use the same order (shape nz, ny, nx), as PETSc's own DMDA viewer does.
#pragma once

#include "core/petsc_handle.hpp"

#include <mpi.h>

#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace relax {

enum class Boundary { reflecting, periodic, absorbing };

/// Parses "reflecting" | "periodic" | "absorbing"; InputError naming `key` otherwise.
Boundary parse_boundary(const std::string& text, const std::string& key);
std::string to_string(Boundary boundary);

struct Axis {
  double lo = 0;
  double hi = 1;
  int n = 2; ///< cells
  Boundary boundary = Boundary::reflecting;

  double h() const { return (hi - lo) / n; }
  double centre(int i) const { return lo + (i + 0.5) * h(); }
  /// Lower face of cell i, computed as Grid::locate compares against it (face(0) == lo).
  double face(int i) const { return lo + i * h(); }
};

/// The block of global cell indices a rank owns; unused axes have start 0, size 1.
struct CellBox {
  std::array<int, 3> start{0, 0, 0};
  std::array<int, 3> size{1, 1, 1};
  std::size_t count() const {
    return static_cast<std::size_t>(size[0]) * static_cast<std::size_t>(size[1]) *
           static_cast<std::size_t>(size[2]);
  }
};

class GridField;

class Grid {
public:
  /// Collective. Throws InputError unless 1 <= axes <= 3, every n >= 2 and every lo < hi (finite).
  Grid(MPI_Comm comm, std::vector<Axis> axes);

  int dim() const { return static_cast<int>(axes_.size()); }
  const Axis& axis(int a) const { return axes_[static_cast<std::size_t>(a)]; }
  const std::vector<Axis>& axes() const { return axes_; }
  MPI_Comm comm() const { return comm_; }
  /// The DMDA; owned by the grid.
  ::DM dm() const { return dm_; }
  const CellBox& owned() const { return owned_; }
  std::size_t cell_count() const; ///< global number of cells
  double cell_volume() const;     ///< product of the h of all axes
  /// Cells per axis, padded with 1 to three entries.
  std::array<int, 3> shape() const;

  /// Centre of the cell with global index `index` into x[0..dim).
  void centre(const std::array<int, 3>& index, double* x) const;
  /// The global index of the cell holding x; false when x lies outside the box. A point on an
  /// interior face belongs to the upper cell; on `hi` itself, to the last cell.
  bool locate(const double* x, std::array<int, 3>& index) const;

  /// Calls f(index, offset) for every owned cell in memory order; offset indexes the local array.
  template <typename F> void for_each_owned(F&& f) const {
    std::size_t offset = 0;
    std::array<int, 3> index{};
    for (index[2] = owned_.start[2]; index[2] < owned_.start[2] + owned_.size[2]; ++index[2]) {
      for (index[1] = owned_.start[1]; index[1] < owned_.start[1] + owned_.size[1]; ++index[1]) {
        for (index[0] = owned_.start[0]; index[0] < owned_.start[0] + owned_.size[0]; ++index[0]) {
          f(static_cast<const std::array<int, 3>&>(index), offset++);
        }
      }
    }
  }

private:
  MPI_Comm comm_;
  std::vector<Axis> axes_;
  petsc::DM dm_;
  CellBox owned_;
};

/// True when fields on `a` and `b` can be combined cell by cell: equal axes and the same (or a
/// congruent) communicator, hence the same owned cells on every rank. Local, and the same answer on
/// every rank.
bool same_layout(const Grid& a, const Grid& b);

/// A distributed field of one value per cell (a global Vec of the grid's DMDA). The grid must
/// outlive it. Owned values are reached through petsc::VecArray / ConstVecArray on vec(), in the
/// memory order of Grid::for_each_owned.
class GridField {
public:
  /// Collective; all values zero.
  explicit GridField(const Grid& grid);
  GridField(const GridField& other);            ///< collective deep copy
  GridField& operator=(const GridField& other); ///< collective; same grid required
  GridField(GridField&&) noexcept = default;
  GridField& operator=(GridField&&) noexcept = default;
  ~GridField() = default;

  const Grid& grid() const { return *grid_; }
  ::Vec vec() const { return vec_; }

  /// Sets every owned cell to f(centre), where centre points to dim coordinates.
  template <typename F> void fill(F&& f) {
    petsc::VecArray values(vec_);
    std::array<double, 3> x{};
    grid_->for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
      grid_->centre(index, x.data());
      values[offset] = f(static_cast<const double*>(x.data()));
    });
  }

private:
  const Grid* grid_;
  petsc::Vec vec_;
};

// ---- Collective diagnostics. Every sum goes through ExactSum: the same bits at any rank count.
// ----

/// True on every rank when every value of the field is finite.
bool is_finite(const GridField& field);

/// Integral of the field over the box (midpoint rule: sum of value * cell volume).
double integral(const GridField& field);

struct Moments {
  double mass = 0;                ///< integral of rho
  std::vector<double> mean;       ///< dim entries, normalized by mass
  std::vector<double> covariance; ///< dim*dim, row-major, normalized by mass
};
/// Mass, mean and covariance of a density (midpoint rule at cell centres).
Moments moments(const GridField& rho);

double l1_distance(const GridField& a, const GridField& b);     ///< int |a-b|
double l2_distance(const GridField& a, const GridField& b);     ///< sqrt(int (a-b)^2)
double linf_distance(const GridField& a, const GridField& b);   ///< max |a-b|
double total_variation(const GridField& a, const GridField& b); ///< int |a-b| / 2
/// KL(p||q) = int p log(p/q) with 0 log 0 = 0; +infinity where q = 0 < p.
double kl_divergence(const GridField& p, const GridField& q);
/// Hellinger distance sqrt(int (sqrt p - sqrt q)^2 / 2), in [0, 1] for probability densities.
double hellinger_distance(const GridField& p, const GridField& q);

} // namespace relax
