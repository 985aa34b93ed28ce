#include "learning/idx.hpp"

#include "core/error.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <numeric>

namespace relax {

namespace {

using GzFile = std::unique_ptr<gzFile_s, std::function<void(gzFile)>>;

std::string hex(std::uint32_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0x%08x", value);
  return buffer;
}

// Reads exactly `size` bytes; returns how many were read (fewer at end of file).
std::size_t read_bytes(gzFile file, const std::string& path, void* out, std::size_t size) {
  std::size_t done = 0;
  auto* bytes = static_cast<unsigned char*>(out);
  while (done < size) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(size - done, 1u << 30));
    const int got = gzread(file, bytes + done, chunk);
    if (got < 0) {
      int code = 0;
      throw InputError("IDX file '" + path + "': " + gzerror(file, &code));
    }
    if (got == 0) {
      break;
    }
    done += static_cast<std::size_t>(got);
  }
  return done;
}

std::uint32_t big_endian(const unsigned char* b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

} // namespace

std::size_t IdxArray::item_size() const {
  return std::accumulate(dims.begin() + 1, dims.end(), std::size_t{1}, std::multiplies<>());
}

IdxArray read_idx(const std::string& path, std::size_t rank, std::size_t max_items) {
  GzFile file(gzopen(path.c_str(), "rb"), [](gzFile f) { gzclose(f); });
  if (!file) {
    throw InputError("IDX file '" + path + "': cannot be opened for reading");
  }
  // Magic: two zero bytes, the type code (0x08 = unsigned byte), the number of dimensions.
  unsigned char header[4];
  if (read_bytes(file.get(), path, header, 4) != 4) {
    throw InputError("IDX file '" + path + "': truncated header (expected a 4-byte magic number)");
  }
  const std::uint32_t magic = big_endian(header);
  const std::uint32_t expected = 0x00000800u | static_cast<std::uint32_t>(rank);
  if (magic != expected) {
    throw InputError("IDX file '" + path + "': magic number " + hex(magic) + ", expected " +
                     hex(expected) + " (unsigned bytes, " + std::to_string(rank) +
                     " dimension(s))");
  }
  IdxArray array;
  for (std::size_t d = 0; d < rank; ++d) {
    unsigned char dim[4];
    if (read_bytes(file.get(), path, dim, 4) != 4) {
      throw InputError("IDX file '" + path + "': truncated header (expected " +
                       std::to_string(rank) + " dimension sizes)");
    }
    array.dims.push_back(big_endian(dim));
  }
  const std::size_t items = max_items > 0 ? std::min(max_items, array.dims[0]) : array.dims[0];
  const std::size_t total = items * array.item_size();
  array.bytes.resize(total);
  const std::size_t got = read_bytes(file.get(), path, array.bytes.data(), total);
  if (got != total) {
    throw InputError("IDX file '" + path + "': truncated: header promises " +
                     std::to_string(total) + " data bytes, found " + std::to_string(got));
  }
  unsigned char extra = 0;
  if (items == array.dims[0] && read_bytes(file.get(), path, &extra, 1) != 0) {
    throw InputError("IDX file '" + path + "': trailing bytes after the " + std::to_string(total) +
                     " data bytes the header promises");
  }
  return array;
}

} // namespace relax
