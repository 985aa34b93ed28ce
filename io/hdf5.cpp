#include "io/hdf5.hpp"

#include "core/error.hpp"

#include <H5FDmpio.h>

#include <algorithm>
#include <exception>

namespace relax::hdf5 {

void silence_error_printing() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

namespace {

herr_t append_record(unsigned /*n*/, const H5E_error2_t* record, void* client) {
  auto& message = *static_cast<std::string*>(client);
  if (!message.empty()) {
    message += " <- ";
  }
  message += record->func_name != nullptr ? record->func_name : "?";
  message += "(): ";
  message += record->desc != nullptr ? record->desc : "";
  return 0;
}

} // namespace

std::string error_stack_message() {
  std::string message;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, append_record, &message);
  H5Eclear2(H5E_DEFAULT);
  std::replace(message.begin(), message.end(), '\n', ' ');
  return message.empty() ? std::string("no HDF5 error message") : message;
}

void throw_error(const char* expression) {
  throw Error("HDF5 error: " + error_stack_message() + " (in " + expression + ")");
}

std::string absolute_path(const std::string& path) {
  std::string result = path.empty() || path.front() != '/' ? "/" + path : path;
  while (result.size() > 1 && result.back() == '/') {
    result.pop_back();
  }
  return result;
}

std::string parent_path(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

bool exists(hid_t location, const std::string& path) {
  const std::string full = absolute_path(path);
  for (std::size_t end = full.find('/', 1); full.size() > 1;) {
    const std::string prefix = full.substr(0, end);
    if (RELAX_HDF5(H5Lexists(location, prefix.c_str(), H5P_DEFAULT)) <= 0) {
      return false;
    }
    if (end == std::string::npos) {
      break;
    }
    end = full.find('/', end + 1);
  }
  return true;
}

PropertyList mpio_file_access(MPI_Comm comm) {
  PropertyList access(RELAX_HDF5(H5Pcreate(H5P_FILE_ACCESS)));
  RELAX_HDF5(H5Pset_fapl_mpio(access, comm, MPI_INFO_NULL));
  return access;
}

PropertyList collective_transfer() {
  PropertyList transfer(RELAX_HDF5(H5Pcreate(H5P_DATASET_XFER)));
  RELAX_HDF5(H5Pset_dxpl_mpio(transfer, H5FD_MPIO_COLLECTIVE));
  return transfer;
}

Datatype string_type() {
  Datatype type(RELAX_HDF5(H5Tcopy(H5T_C_S1)));
  RELAX_HDF5(H5Tset_size(type, H5T_VARIABLE));
  RELAX_HDF5(H5Tset_cset(type, H5T_CSET_UTF8));
  return type;
}

Dataspace simple_space(const std::vector<hsize_t>& dims, const std::vector<hsize_t>& max_dims) {
  if (dims.empty()) {
    return Dataspace(RELAX_HDF5(H5Screate(H5S_SCALAR)));
  }
  return Dataspace(RELAX_HDF5(H5Screate_simple(static_cast<int>(dims.size()), dims.data(),
                                               max_dims.empty() ? nullptr : max_dims.data())));
}

std::vector<hsize_t> dataset_dims(hid_t dataset) {
  Dataspace space(RELAX_HDF5(H5Dget_space(dataset)));
  const int rank = RELAX_HDF5(H5Sget_simple_extent_ndims(space));
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  RELAX_HDF5(H5Sget_simple_extent_dims(space, dims.data(), nullptr));
  return dims;
}

std::size_t Block::size() const {
  std::size_t n = 1;
  for (hsize_t c : count) {
    n *= static_cast<std::size_t>(c);
  }
  return n;
}

Dataspace file_selection(hid_t dataset, const Block& block) {
  Dataspace space(RELAX_HDF5(H5Dget_space(dataset)));
  if (block.size() == 0) {
    RELAX_HDF5(H5Sselect_none(space));
  } else if (!block.start.empty()) {
    RELAX_HDF5(H5Sselect_hyperslab(space, H5S_SELECT_SET, block.start.data(), nullptr,
                                   block.count.data(), nullptr));
  }
  return space;
}

Dataspace memory_space(std::size_t count) {
  const hsize_t dims[1] = {std::max<hsize_t>(count, 1)};
  Dataspace space(RELAX_HDF5(H5Screate_simple(1, dims, nullptr)));
  if (count == 0) {
    RELAX_HDF5(H5Sselect_none(space));
  }
  return space;
}

std::string message_from_root(MPI_Comm comm, const std::function<std::string()>& check) {
  int rank = 0;
  RELAX_MPI(MPI_Comm_rank(comm, &rank));
  std::string message;
  if (rank == 0) {
    try {
      message = check();
    } catch (const std::exception& e) { // other ranks wait in MPI_Bcast: never leave them there
      message = e.what();
    }
  }
  unsigned long long length = message.size();
  RELAX_MPI(MPI_Bcast(&length, 1, MPI_UNSIGNED_LONG_LONG, 0, comm));
  message.resize(static_cast<std::size_t>(length));
  RELAX_MPI(MPI_Bcast(message.data(), static_cast<int>(length), MPI_CHAR, 0, comm));
  return message;
}

std::vector<hsize_t> series_chunk(const std::vector<hsize_t>& level_shape, std::size_t max_bytes) {
  constexpr std::size_t element = sizeof(double);
  constexpr std::size_t small_bytes = std::size_t{64} << 10; // several small levels per chunk
  constexpr std::size_t max_levels = 256;
  std::vector<hsize_t> chunk{1};
  std::size_t level_bytes = element;
  for (hsize_t n : level_shape) {
    chunk.push_back(std::max<hsize_t>(n, 1));
    level_bytes *= static_cast<std::size_t>(chunk.back());
  }
  // Halve the slowest axis that can still be split until the chunk fits.
  for (std::size_t axis = 1; axis < chunk.size() && level_bytes > max_bytes;) {
    if (chunk[axis] == 1) {
      ++axis;
      continue;
    }
    level_bytes = level_bytes / static_cast<std::size_t>(chunk[axis]);
    chunk[axis] = (chunk[axis] + 1) / 2;
    level_bytes *= static_cast<std::size_t>(chunk[axis]);
  }
  chunk[0] = std::clamp<hsize_t>(small_bytes / level_bytes, 1, max_levels);
  return chunk;
}

} // namespace relax::hdf5
