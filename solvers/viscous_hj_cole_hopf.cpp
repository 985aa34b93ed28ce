// (a) of the viscous HJ solver: Cole–Hopf in the log domain, distributed by line communicators
// (the strategy and its memory cost are described at LogGaussianConvolution in viscous_hj.hpp).
#include "solvers/viscous_hj.hpp"

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/mpi.hpp"
#include "core/validate.hpp"
#include "grids/ghosted_values.hpp"

#include <petscdmda.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace relax {

LineImages line_images(Boundary boundary) {
  switch (boundary) {
  case Boundary::periodic:
    return LineImages::periodic;
  case Boundary::reflecting:
    return LineImages::mirror;
  case Boundary::absorbing:
    break;
  }
  return LineImages::none;
}

namespace {

LineGeometry line_geometry(const Axis& axis) {
  return {axis.lo, axis.h(), axis.n, line_images(axis.boundary)};
}

/// Owns one communicator from MPI_Comm_split.
class SplitComm {
public:
  SplitComm() = default;
  SplitComm(const SplitComm&) = delete;
  SplitComm& operator=(const SplitComm&) = delete;
  ~SplitComm() {
    if (comm_ != MPI_COMM_NULL) {
      MPI_Comm_free(&comm_);
    }
  }
  MPI_Comm* out() { return &comm_; }
  MPI_Comm get() const { return comm_; }

private:
  MPI_Comm comm_ = MPI_COMM_NULL;
};

} // namespace

// ---- LogGaussianConvolution ----

struct LogGaussianConvolution::Lines {
  /// The ranks that share this rank's lines along each axis, ordered along the axis.
  std::array<SplitComm, 3> comm;
  /// Cells owned by each of those ranks along the axis, in communicator order.
  std::array<std::vector<int>, 3> sizes;
};

LogGaussianConvolution::LogGaussianConvolution(const Grid& grid)
    : grid_(grid), lines_(std::make_unique<Lines>()) {
  // The DMDA's process grid: ranks per axis and the cells each process column owns.
  PetscInt ranks[3] = {1, 1, 1};
  RELAX_PETSC(DMDAGetInfo(grid_.dm(), nullptr, nullptr, nullptr, nullptr, &ranks[0], &ranks[1],
                          &ranks[2], nullptr, nullptr, nullptr, nullptr, nullptr, nullptr));
  const PetscInt* ranges[3] = {nullptr, nullptr, nullptr};
  RELAX_PETSC(DMDAGetOwnershipRanges(grid_.dm(), &ranges[0], &ranges[1], &ranges[2]));
  std::array<int, 3> coordinate{}; // this rank's position in the process grid
  for (int a = 0; a < 3; ++a) {
    const auto sa = static_cast<std::size_t>(a);
    if (a >= grid_.dim()) {
      lines_->sizes[sa] = {1};
      continue;
    }
    int start = 0;
    for (PetscInt r = 0; r < ranks[a]; ++r) {
      if (start == grid_.owned().start[sa]) {
        coordinate[sa] = static_cast<int>(r);
      }
      lines_->sizes[sa].push_back(static_cast<int>(ranges[a][r]));
      start += static_cast<int>(ranges[a][r]);
    }
  }
  for (int a = 0; a < grid_.dim(); ++a) {
    // Colour: the position in the other axes; key: the position along this one.
    int colour = 0;
    for (int b = 2; b >= 0; --b) {
      colour = colour * static_cast<int>(ranks[b]) +
               (b == a ? 0 : coordinate[static_cast<std::size_t>(b)]);
    }
    RELAX_MPI(MPI_Comm_split(grid_.comm(), colour, coordinate[static_cast<std::size_t>(a)],
                             lines_->comm[static_cast<std::size_t>(a)].out()));
  }
}

LogGaussianConvolution::~LogGaussianConvolution() = default;

void LogGaussianConvolution::apply(const GridField& log_in, double variance,
                                   GridField& log_out) const {
  if (!(variance > 0)) {
    along_lines(log_in, nullptr, log_out);
    return;
  }
  std::vector<LogGaussianLine> kernels;
  for (int a = 0; a < grid_.dim(); ++a) {
    kernels.emplace_back(line_geometry(grid_.axis(a)), variance);
  }
  along_lines(
      log_in,
      [&](int axis, const double* line, int first, int count, double* out) {
        kernels[static_cast<std::size_t>(axis)].apply(line, first, count, out);
      },
      log_out);
}

void LogGaussianConvolution::along_lines(const GridField& in_field, const LineOperation& operation,
                                         GridField& out_field) const {
  const CellBox& owned = grid_.owned();
  std::vector<double> block;
  {
    const petsc::ConstVecArray in(in_field.vec());
    block.assign(in.begin(), in.end());
  }
  if (operation) {
    const std::array<std::size_t, 3> size = {static_cast<std::size_t>(owned.size[0]),
                                             static_cast<std::size_t>(owned.size[1]),
                                             static_cast<std::size_t>(owned.size[2])};
    const std::array<std::size_t, 3> stride = {1, size[0], size[0] * size[1]};
    std::vector<double> send;
    std::vector<double> gathered;
    std::vector<double> line;
    std::vector<double> convolved;
    for (int a = 0; a < grid_.dim(); ++a) {
      const auto sa = static_cast<std::size_t>(a);
      // The two other axes, lower first; `cross` enumerates their cells.
      const std::size_t b = a == 0 ? 1 : 0;
      const std::size_t b2 = a == 2 ? 1 : 2;
      const std::size_t cross_count = size[b] * size[b2];
      const auto offset = [&](std::size_t cross, std::size_t i) {
        return i * stride[sa] + (cross % size[b]) * stride[b] + (cross / size[b]) * stride[b2];
      };
      // Pack as [cross][i] and gather the blocks of the ranks along the axis.
      send.resize(block.size());
      for (std::size_t cross = 0; cross < cross_count; ++cross) {
        for (std::size_t i = 0; i < size[sa]; ++i) {
          send[cross * size[sa] + i] = block[offset(cross, i)];
        }
      }
      const std::vector<int>& sizes = lines_->sizes[sa];
      std::vector<int> counts(sizes.size());
      std::vector<int> displacements(sizes.size());
      int total = 0;
      for (std::size_t r = 0; r < sizes.size(); ++r) {
        counts[r] = sizes[r] * static_cast<int>(cross_count);
        displacements[r] = total;
        total += counts[r];
      }
      gathered.resize(static_cast<std::size_t>(total));
      RELAX_MPI(MPI_Allgatherv(send.data(), static_cast<int>(send.size()), MPI_DOUBLE,
                               gathered.data(), counts.data(), displacements.data(), MPI_DOUBLE,
                               lines_->comm[sa].get()));
      // Convolve every full line through the block and keep the owned part.
      const int n = grid_.axis(a).n;
      line.resize(static_cast<std::size_t>(n));
      convolved.resize(size[sa]);
      for (std::size_t cross = 0; cross < cross_count; ++cross) {
        std::size_t position = 0;
        for (std::size_t r = 0; r < sizes.size(); ++r) {
          const auto chunk = static_cast<std::size_t>(sizes[r]);
          const double* source =
              gathered.data() + static_cast<std::size_t>(displacements[r]) + cross * chunk;
          std::copy(source, source + chunk, line.begin() + static_cast<std::ptrdiff_t>(position));
          position += chunk;
        }
        operation(a, line.data(), owned.start[sa], owned.size[sa], convolved.data());
        for (std::size_t i = 0; i < size[sa]; ++i) {
          block[offset(cross, i)] = convolved[i];
        }
      }
    }
  }
  petsc::VecArray out(out_field.vec());
  std::copy(block.begin(), block.end(), out.begin());
}

LogGaussianConvolution::PointValue
LogGaussianConvolution::at(const GridField& log_in, double variance, const double* x) const {
  const int dim = grid_.dim();
  std::array<std::vector<double>, 3> log_k;
  std::array<std::vector<double>, 3> mean;
  for (int a = 0; a < dim; ++a) {
    const auto sa = static_cast<std::size_t>(a);
    const LogGaussianLine kernel(line_geometry(grid_.axis(a)), variance);
    log_k[sa].resize(static_cast<std::size_t>(grid_.axis(a).n));
    mean[sa].resize(log_k[sa].size());
    kernel.row(x[a], log_k[sa].data(), mean[sa].data());
  }
  const petsc::ConstVecArray in(log_in.vec());
  const auto log_weight = [&](const std::array<int, 3>& index, std::size_t offset) {
    double w = in[offset];
    for (std::size_t a = 0; a < static_cast<std::size_t>(dim); ++a) {
      w += log_k[a][static_cast<std::size_t>(index[a])];
    }
    return w;
  };
  double top = -std::numeric_limits<double>::infinity();
  grid_.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
    top = std::max(top, log_weight(index, offset));
  });
  RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, &top, 1, MPI_DOUBLE, MPI_MAX, grid_.comm()));
  if (!std::isfinite(top)) {
    throw NumericalError("Cole-Hopf: the convolution at a point is zero or not finite");
  }
  // sums[0]: sum of the weights exp(w - top); sums[1 + a]: of the weights times <image_a>.
  std::vector<ExactSum> sums(static_cast<std::size_t>(dim) + 1);
  grid_.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
    const double weight = std::exp(log_weight(index, offset) - top);
    sums[0].add(weight);
    for (std::size_t a = 0; a < static_cast<std::size_t>(dim); ++a) {
      sums[a + 1].add(weight * mean[a][static_cast<std::size_t>(index[a])]);
    }
  });
  allreduce(grid_.comm(), sums.data(), sums.size());
  PointValue result;
  const double total = sums[0].value();
  result.log_value = top + std::log(total);
  for (std::size_t a = 0; a < static_cast<std::size_t>(dim); ++a) {
    result.mean.push_back(sums[a + 1].value() / total);
  }
  return result;
}

// ---- ColeHopfSolver ----

namespace {

void check_cole_hopf_problem(const HamiltonJacobiProblem& problem) {
  require_positive("Cole-Hopf: nu", problem.nu);
  require_positive("Cole-Hopf: c", problem.c);
  if (problem.drift) {
    throw InputError("Cole-Hopf: a drift h(x) in H = c|p|^2/2 + h.p has no Gaussian kernel; use "
                     "the finite-difference solver");
  }
}

GridField landscape_field(const Grid& grid, const Landscape& f) {
  if (f.dim() != grid.dim()) {
    throw InputError("landscape " + f.describe() + " has dimension " + std::to_string(f.dim()) +
                     ", the grid " + std::to_string(grid.dim()));
  }
  GridField field(grid);
  field.fill([&](const double* x) { return f.value(x); });
  return field;
}

} // namespace

ColeHopfSolver::ColeHopfSolver(const Grid& grid, const GridField& f,
                               const HamiltonJacobiProblem& problem)
    : grid_(grid), problem_(problem), log_initial_(f), convolution_(grid) {
  check_cole_hopf_problem(problem_);
  if (!is_finite(f)) {
    throw InputError("Cole-Hopf: the initial data f is not finite at every cell centre");
  }
  RELAX_PETSC(VecScale(log_initial_.vec(), -problem_.c / (2 * problem_.nu)));
}

ColeHopfSolver::ColeHopfSolver(const Grid& grid, const Landscape& f,
                               const HamiltonJacobiProblem& problem)
    : ColeHopfSolver(grid, landscape_field(grid, f), problem) {}

void ColeHopfSolver::solve(double t, GridField& u) const {
  if (!(t >= 0)) {
    throw Error("ColeHopfSolver::solve: t = " + format_real(t) + " < 0");
  }
  convolution_.apply(log_initial_, 2 * problem_.nu * t, u);
  RELAX_PETSC(VecScale(u.vec(), -2 * problem_.nu / problem_.c));
  if (!is_finite(u)) {
    throw NumericalError("Cole-Hopf: u(., " + format_real(t) + ") is not finite");
  }
}

GridField ColeHopfSolver::solve(double t) const {
  GridField u(grid_);
  solve(t, u);
  return u;
}

HamiltonJacobiPoint ColeHopfSolver::evaluate(const double* x, double t) const {
  if (!(t > 0)) {
    throw Error("ColeHopfSolver::evaluate: t = " + format_real(t) + ", expected t > 0");
  }
  const LogGaussianConvolution::PointValue value =
      convolution_.at(log_initial_, 2 * problem_.nu * t, x);
  HamiltonJacobiPoint point;
  point.u = -2 * problem_.nu / problem_.c * value.log_value;
  point.mean = value.mean;
  for (int a = 0; a < grid_.dim(); ++a) {
    point.gradient.push_back((x[a] - value.mean[static_cast<std::size_t>(a)]) / (problem_.c * t));
  }
  return point;
}

} // namespace relax
