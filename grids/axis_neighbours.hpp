// The values next to a cell along one axis, and whether they exist (there is no neighbour beyond a
// reflecting or absorbing wall). Pure data, shared by the finite-difference stencils.
#pragma once

namespace relax {

struct AxisNeighbours {
  double lower = 0;
  double upper = 0;
  bool has_lower = true;
  bool has_upper = true;
};

} // namespace relax
