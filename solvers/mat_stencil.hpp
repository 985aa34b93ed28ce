// The MatSetValuesStencil index of a cell of the grid's DMDA, for the solvers that assemble their
// operators by stencil.
#pragma once

#include <petscmat.h>

#include <array>

namespace relax {

inline MatStencil to_stencil(const std::array<int, 3>& index) {
  MatStencil s{};
  s.i = index[0];
  s.j = index[1];
  s.k = index[2];
  return s;
}

} // namespace relax
