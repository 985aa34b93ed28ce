// Where a cell lives in a DMDA's global (PETSc) ordering, computed from the ownership ranges alone.
// A DMDA numbers its process blocks x fastest (rank = px + mx (py + my pz)) and the cells inside a
// block x fastest, so the PETSc index of a cell is the size of every block before its own plus its
// offset inside the block. Pure index arithmetic, no PETSc: memory O(mx + my + mz), a lookup costs
// three binary searches. (DMDA's AO gives the same map, but the default AOBASIC keeps two arrays of
// the global size on every rank.)
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace relax {

class DmdaOrdering {
public:
  /// block_sizes[a] lists the cells each process column owns along axis a, in rank order (what
  /// DMDAGetOwnershipRanges returns); an unused axis has the single entry {1}.
  explicit DmdaOrdering(const std::array<std::vector<int>, 3>& block_sizes) {
    for (std::size_t a = 0; a < 3; ++a) {
      starts_[a].assign(1, 0);
      for (int size : block_sizes[a]) {
        starts_[a].push_back(starts_[a].back() + size);
      }
    }
  }

  /// PETSc global index of the cell with global (natural) index `cell`.
  std::int64_t petsc_index(const std::array<int, 3>& cell) const {
    std::array<std::int64_t, 3> start{};  // first cell of the owning block, per axis
    std::array<std::int64_t, 3> size{};   // cells of the owning block, per axis
    std::array<std::int64_t, 3> local{};  // position inside the block
    std::array<std::int64_t, 3> extent{}; // cells of the whole grid, per axis
    for (std::size_t a = 0; a < 3; ++a) {
      const auto& s = starts_[a];
      // The block b with s[b] <= cell < s[b + 1].
      const auto b = std::upper_bound(s.begin(), s.end(), cell[a]) - s.begin() - 1;
      start[a] = s[static_cast<std::size_t>(b)];
      size[a] = s[static_cast<std::size_t>(b) + 1] - start[a];
      local[a] = cell[a] - start[a];
      extent[a] = s.back();
    }
    // Blocks before this one: whole z-slabs below it, then whole y-rows of its slab, then the
    // blocks to its left in its row.
    const std::int64_t before = extent[0] * extent[1] * start[2] + extent[0] * start[1] * size[2] +
                                start[0] * size[1] * size[2];
    return before + local[0] + size[0] * (local[1] + size[1] * local[2]);
  }

private:
  std::array<std::vector<int>, 3> starts_; // cumulative block starts per axis, last = cell count
};

class Grid;
/// The numbering of `grid`'s DMDA (from DMDAGetOwnershipRanges). Not collective.
DmdaOrdering petsc_ordering(const Grid& grid);

} // namespace relax
