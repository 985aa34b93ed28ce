// The optimal control alpha = grad u of controlled SGD (docs/theory.md) where the particles need
// it: on the faces of a cell-centred grid (the staggered lattice the Scharfetter–Gummel flux of the
// controlled Fokker–Planck equation sees) and, by multilinear interpolation, at any point. Also the
// cell-centred multilinear interpolation of u itself. Pure math: no PETSc, no MPI.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <vector>

namespace relax {

/// One axis of the grid, as the interpolation needs it.
struct ControlAxis {
  double lo = 0;
  double h = 1;
  int n = 2; ///< cells
  bool is_periodic = false;
};

/// The two lattice points around x on a uniform 1D lattice origin + m h, m in [0, count), and the
/// weight of the upper one. Periodic lattices wrap (period count h); others are continued by their
/// end values (constant extrapolation beyond the first and last point).
struct LatticeWeights {
  int lower = 0;
  int upper = 0;
  double upper_weight = 0;
};

inline LatticeWeights lattice_weights(double x, double origin, double h, int count,
                                      bool is_periodic) {
  const double s = (x - origin) / h;
  LatticeWeights w;
  if (is_periodic) {
    const double floor_s = std::floor(s);
    w.upper_weight = s - floor_s;
    const double period = static_cast<double>(count);
    int i = static_cast<int>(floor_s - period * std::floor(floor_s / period));
    i = i >= count ? i - count : i; // floor_s / period rounding up at a multiple of the period
    w.lower = i;
    w.upper = i + 1 == count ? 0 : i + 1;
    return w;
  }
  if (!(s > 0)) { // also NaN: the first point
    return w;
  }
  if (s >= count - 1) {
    w.lower = w.upper = count - 1;
    return w;
  }
  w.lower = static_cast<int>(s);
  w.upper = w.lower + 1;
  w.upper_weight = s - w.lower;
  return w;
}

/// Values on the lattice of the cells (component -1) or of the faces normal to one axis, with
/// multilinear interpolation between them. Face lattice of axis a: along a the faces lo + m h,
/// m in [0, n] on a wall-bounded axis (the wall faces included) and m in [0, n) on a periodic one
/// (face 0 is also face n); along every other axis the cell centres.
class StaggeredLattice {
public:
  StaggeredLattice(const std::vector<ControlAxis>& axes, int face_axis);

  int dim() const { return static_cast<int>(origin_.size()); }
  std::size_t size() const { return values_.size(); }
  /// Points along axis b (x fastest in values()); 1 for an axis beyond dim().
  int count(int b) const { return count_[static_cast<std::size_t>(b)]; }
  std::vector<double>& values() { return values_; }
  const std::vector<double>& values() const { return values_; }
  /// Index into values() of the point with lattice indices m[0..dim).
  std::size_t index(const std::array<int, 3>& m) const {
    return static_cast<std::size_t>(m[0]) +
           static_cast<std::size_t>(count_[0]) *
               (static_cast<std::size_t>(m[1]) +
                static_cast<std::size_t>(count_[1]) * static_cast<std::size_t>(m[2]));
  }
  /// The multilinear interpolant at x[0..dim).
  double interpolate(const double* x) const;

private:
  std::vector<double> origin_;
  std::vector<double> h_;
  std::array<int, 3> count_{1, 1, 1};
  std::vector<bool> is_periodic_;
  std::vector<double> values_;
};

/// alpha = grad u on the faces from u at every cell (natural order, x fastest): on the face between
/// cells i and i+1 of axis a, alpha_a = (u_{i+1} - u_i)/h_a (the periodic face 0 joins cells n-1
/// and 0); on a wall face alpha_a = 0, the homogeneous Neumann condition of u at a reflecting wall
/// (zero flux of the controlled drift). Second order at the face centre.
class FaceControl {
public:
  explicit FaceControl(const std::vector<ControlAxis>& axes);

  int dim() const { return static_cast<int>(axes_.size()); }
  /// Recomputes the face values from u (one value per cell, natural order).
  void assign(const std::vector<double>& u);
  /// The face values of component a.
  const StaggeredLattice& component(int a) const { return faces_[static_cast<std::size_t>(a)]; }
  /// alpha(x) into alpha[0..dim): each component interpolated on its own face lattice.
  void evaluate(const double* x, double* alpha) const {
    for (std::size_t a = 0; a < faces_.size(); ++a) {
      alpha[a] = faces_[a].interpolate(x);
    }
  }

private:
  std::vector<ControlAxis> axes_;
  std::vector<StaggeredLattice> faces_;
};

} // namespace relax
