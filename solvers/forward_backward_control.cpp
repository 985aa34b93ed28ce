#include "solvers/forward_backward_control.hpp"

#include <stdexcept>

namespace relax {

StaggeredLattice::StaggeredLattice(const std::vector<ControlAxis>& axes, int face_axis) {
  if (axes.empty() || axes.size() > 3 || face_axis < -1 ||
      face_axis >= static_cast<int>(axes.size())) {
    throw std::invalid_argument(
        "StaggeredLattice: expected 1 to 3 axes and a face axis among them");
  }
  std::size_t size = 1;
  for (std::size_t b = 0; b < axes.size(); ++b) {
    const ControlAxis& axis = axes[b];
    const bool is_face = static_cast<int>(b) == face_axis;
    origin_.push_back(is_face ? axis.lo : axis.lo + 0.5 * axis.h);
    h_.push_back(axis.h);
    is_periodic_.push_back(axis.is_periodic);
    count_[b] = is_face && !axis.is_periodic ? axis.n + 1 : axis.n;
    size *= static_cast<std::size_t>(count_[b]);
  }
  values_.assign(size, 0.0);
}

double StaggeredLattice::interpolate(const double* x) const {
  const int d = dim();
  std::array<LatticeWeights, 3> w{};
  for (int b = 0; b < d; ++b) {
    const auto sb = static_cast<std::size_t>(b);
    w[sb] = lattice_weights(x[b], origin_[sb], h_[sb], count_[sb], is_periodic_[sb]);
  }
  double value = 0;
  for (int corner = 0; corner < (1 << d); ++corner) {
    std::array<int, 3> m{};
    double weight = 1;
    for (int b = 0; b < d; ++b) {
      const auto sb = static_cast<std::size_t>(b);
      const bool is_upper = ((corner >> b) & 1) != 0;
      m[sb] = is_upper ? w[sb].upper : w[sb].lower;
      weight *= is_upper ? w[sb].upper_weight : 1.0 - w[sb].upper_weight;
    }
    value += weight * values_[index(m)];
  }
  return value;
}

FaceControl::FaceControl(const std::vector<ControlAxis>& axes) : axes_(axes) {
  for (int a = 0; a < static_cast<int>(axes.size()); ++a) {
    faces_.emplace_back(axes, a);
  }
}

void FaceControl::assign(const std::vector<double>& u) {
  const StaggeredLattice cells(axes_, -1);
  if (u.size() != cells.size()) {
    throw std::invalid_argument("FaceControl::assign: expected one value per cell");
  }
  for (std::size_t a = 0; a < faces_.size(); ++a) {
    StaggeredLattice& lattice = faces_[a];
    const ControlAxis& axis = axes_[a];
    std::array<int, 3> m{};
    for (m[2] = 0; m[2] < lattice.count(2); ++m[2]) {
      for (m[1] = 0; m[1] < lattice.count(1); ++m[1]) {
        for (m[0] = 0; m[0] < lattice.count(0); ++m[0]) {
          const int face = m[a];
          double alpha = 0; // a wall face: Neumann
          if (axis.is_periodic || (face > 0 && face < axis.n)) {
            std::array<int, 3> left = m;
            std::array<int, 3> right = m;
            left[a] = face == 0 ? axis.n - 1 : face - 1;
            right[a] = face;
            alpha = (u[cells.index(right)] - u[cells.index(left)]) / axis.h;
          }
          lattice.values()[lattice.index(m)] = alpha;
        }
      }
    }
  }
}

} // namespace relax
