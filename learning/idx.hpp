// Reader for IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed (zlib reads
// both). Only unsigned-byte data is used by these data sets: images (magic 0x00000803, dims
// count x rows x cols) and labels (magic 0x00000801, dim count). Every defect (missing file, wrong
// magic, truncated data, trailing bytes) is an InputError naming the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace relax {

struct IdxArray {
  std::vector<std::size_t> dims;   ///< dims[0] is the item count
  std::vector<std::uint8_t> bytes; ///< product(dims) values, row-major
  std::size_t item_size() const;   ///< product of dims[1..]
};

/// Reads an unsigned-byte IDX file with exactly `rank` dimensions (1: labels, 3: images). With
/// `max_items` > 0 only the first min(max_items, count) items are read (dims[0] still reports the
/// header's count) and the rest of the file is not checked.
IdxArray read_idx(const std::string& path, std::size_t rank, std::size_t max_items = 0);

} // namespace relax
