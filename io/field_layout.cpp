#include "io/field_layout.hpp"

namespace relax::hdf5 {

std::vector<hsize_t> field_dims(const Grid& grid) {
  std::vector<hsize_t> dims;
  for (int a = grid.dim() - 1; a >= 0; --a) {
    dims.push_back(static_cast<hsize_t>(grid.axis(a).n));
  }
  return dims;
}

Block owned_block(const Grid& grid) {
  const CellBox& box = grid.owned();
  Block block;
  for (int a = grid.dim() - 1; a >= 0; --a) {
    const auto axis = static_cast<std::size_t>(a);
    block.start.push_back(static_cast<hsize_t>(box.start[axis]));
    block.count.push_back(static_cast<hsize_t>(box.size[axis]));
  }
  return block;
}

Block row_block(std::size_t first_row, std::size_t rows, std::size_t width) {
  return Block{{first_row, 0}, {rows, width}};
}

Block root_block(const std::vector<hsize_t>& dims, int rank) {
  if (rank != 0) {
    return Block{{}, {0}};
  }
  return Block{std::vector<hsize_t>(dims.size(), 0), dims};
}

Block at_level(hsize_t level, const Block& block) {
  if (block.size() == 0) {
    return block;
  }
  Block result{{level}, {1}};
  result.start.insert(result.start.end(), block.start.begin(), block.start.end());
  result.count.insert(result.count.end(), block.count.begin(), block.count.end());
  return result;
}

std::string shape_text(const std::vector<hsize_t>& dims) {
  std::string text = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    text += (i == 0 ? "" : ", ") + std::to_string(dims[i]);
  }
  return text + ")";
}

} // namespace relax::hdf5
