// InputFile (declared in io/output_file.hpp): read access for initial data and restarts.
#include "core/error.hpp"
#include "io/field_layout.hpp"
#include "io/hdf5.hpp"
#include "io/output_file.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <optional>

namespace relax {

namespace {

/// Rank 0's verdict on an input path: empty when it names a readable HDF5 file.
std::string input_path_problem(const std::string& path) {
  const std::string what = "input file '" + path + "': ";
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return what + std::strerror(errno) + "; expected an existing HDF5 file";
  }
  if (S_ISDIR(info.st_mode)) {
    return what + "is a directory; expected an HDF5 file";
  }
  if (!std::ifstream(path, std::ios::binary)) {
    return what + "cannot be read (" + std::strerror(errno) + ")";
  }
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    hdf5::error_stack_message(); // clears the stack
    return what + "not an HDF5 file; expected an HDF5 file";
  }
  return {};
}

} // namespace

struct InputFile::Impl {
  std::string path;
  hdf5::File file;
  hdf5::PropertyList transfer;

  /// "input file 'run.h5': dataset '/fp/density'"
  std::string where(const std::string& dataset) const {
    return "input file '" + path + "': dataset '" + hdf5::absolute_path(dataset) + "'";
  }

  hdf5::Dataset dataset(const std::string& name) const {
    const std::string full = hdf5::absolute_path(name);
    if (!hdf5::exists(file, full)) {
      throw InputError(where(name) + " does not exist");
    }
    return hdf5::Dataset(RELAX_HDF5(H5Dopen2(file, full.c_str(), H5P_DEFAULT)));
  }

  /// Collective read of this rank's `block` into `out` (block order).
  void read(hid_t dataset, const hdf5::Block& block, double* out) const {
    const hdf5::Dataspace file_space = hdf5::file_selection(dataset, block);
    const hdf5::Dataspace memory = hdf5::memory_space(block.size());
    RELAX_HDF5(H5Dread(dataset, H5T_NATIVE_DOUBLE, memory, file_space, transfer, out));
  }

  /// Level `level` of a series of `levels` (negative: from the end, -1 the last).
  hsize_t level_index(const std::string& name, hsize_t levels, long level) const {
    const long long index =
        level < 0 ? static_cast<long long>(levels) + level : static_cast<long long>(level);
    if (index < 0 || index >= static_cast<long long>(levels)) {
      throw InputError(where(name) + ": level " + std::to_string(level) +
                       " requested; expected a level of the " + std::to_string(levels) +
                       " stored (negative counts from the last)");
    }
    return static_cast<hsize_t>(index);
  }

  /// "input file 'run.h5': attribute 'seed' of '/'"
  std::string attribute_name(const std::string& object, const std::string& name) const {
    return "input file '" + path + "': attribute '" + name + "' of '" +
           hdf5::absolute_path(object) + "'";
  }

  /// A one-value attribute; InputError when it is missing or holds several values.
  hdf5::Attribute attribute(const std::string& object, const std::string& name) const {
    const std::string full = hdf5::absolute_path(object);
    if (!hdf5::exists(file, full)) {
      throw InputError(attribute_name(object, name) + ": no such object");
    }
    const hdf5::Object target(RELAX_HDF5(H5Oopen(file, full.c_str(), H5P_DEFAULT)));
    if (RELAX_HDF5(H5Aexists(target, name.c_str())) <= 0) {
      throw InputError(attribute_name(object, name) + ": no such attribute");
    }
    hdf5::Attribute attribute(RELAX_HDF5(H5Aopen(target, name.c_str(), H5P_DEFAULT)));
    const hdf5::Dataspace space(RELAX_HDF5(H5Aget_space(attribute)));
    const hssize_t count = RELAX_HDF5(H5Sget_simple_extent_npoints(space));
    if (count != 1) {
      throw InputError(attribute_name(object, name) + " has " + std::to_string(count) +
                       " values; expected one");
    }
    return attribute;
  }

  /// The type of a one-value attribute; InputError unless its class is one of `expected`.
  hdf5::Datatype type_of(const hdf5::Attribute& attribute,
                         std::initializer_list<H5T_class_t> expected, const std::string& object,
                         const std::string& name, const char* kind) const {
    hdf5::Datatype type(RELAX_HDF5(H5Aget_type(attribute)));
    if (std::find(expected.begin(), expected.end(), H5Tget_class(type)) == expected.end()) {
      throw InputError(attribute_name(object, name) + " is not " + kind);
    }
    return type;
  }

  /// An integer attribute read in the signedness it was stored with.
  struct Integer {
    bool is_signed = true;
    std::int64_t as_signed = 0;
    std::uint64_t as_unsigned = 0;
  };
  Integer integer(const std::string& object, const std::string& name) const {
    const hdf5::Attribute stored = attribute(object, name);
    const hdf5::Datatype type = type_of(stored, {H5T_INTEGER}, object, name, "an integer");
    Integer value;
    value.is_signed = H5Tget_sign(type) != H5T_SGN_NONE;
    if (value.is_signed) {
      RELAX_HDF5(H5Aread(stored, H5T_NATIVE_INT64, &value.as_signed));
    } else {
      RELAX_HDF5(H5Aread(stored, H5T_NATIVE_UINT64, &value.as_unsigned));
    }
    return value;
  }
};

InputFile::InputFile(MPI_Comm comm, const std::string& path) : impl_(std::make_unique<Impl>()) {
  hdf5::silence_error_printing();
  Impl& impl = *impl_;
  impl.path = path;
  const std::string problem =
      hdf5::message_from_root(comm, [&] { return input_path_problem(path); });
  if (!problem.empty()) {
    throw InputError(problem);
  }
  impl.transfer = hdf5::collective_transfer();
  const hdf5::PropertyList access = hdf5::mpio_file_access(comm);
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, access);
  if (id < 0) {
    throw InputError("input file '" + path + "': cannot open: " + hdf5::error_stack_message());
  }
  impl.file = hdf5::File(id);
}

InputFile::~InputFile() = default;

bool InputFile::exists(const std::string& object) const {
  return hdf5::exists(impl_->file, object);
}

std::vector<std::size_t> InputFile::shape(const std::string& dataset) const {
  const std::vector<hsize_t> dims = hdf5::dataset_dims(impl_->dataset(dataset));
  return {dims.begin(), dims.end()};
}

std::vector<double> InputFile::read_array(const std::string& dataset) const {
  const hdf5::Dataset stored = impl_->dataset(dataset);
  const std::vector<hsize_t> dims = hdf5::dataset_dims(stored);
  const hdf5::Block all{std::vector<hsize_t>(dims.size(), 0), dims};
  std::vector<double> values(all.size());
  impl_->read(stored, all, values.data());
  return values;
}

void InputFile::read_field(const std::string& dataset, GridField& field, long level) const {
  const hdf5::Dataset stored = impl_->dataset(dataset);
  const std::vector<hsize_t> dims = hdf5::dataset_dims(stored);
  const std::vector<hsize_t> expected = hdf5::field_dims(field.grid());
  hdf5::Block block = hdf5::owned_block(field.grid());
  if (dims.size() == expected.size() + 1 &&
      std::equal(dims.begin() + 1, dims.end(), expected.begin(), expected.end())) {
    block = hdf5::at_level(impl_->level_index(dataset, dims[0], level), block);
  } else if (dims != expected) {
    throw InputError(impl_->where(dataset) + " has shape " + hdf5::shape_text(dims) +
                     "; expected " + hdf5::shape_text(expected) +
                     " or a time series of it for the grid");
  }
  petsc::VecArray values(field.vec());
  impl_->read(stored, block, values.data());
}

std::vector<double> InputFile::read_rows(const std::string& dataset, std::size_t first_row,
                                         std::size_t local_rows, long level) const {
  const hdf5::Dataset stored = impl_->dataset(dataset);
  const std::vector<hsize_t> dims = hdf5::dataset_dims(stored);
  if (dims.size() != 2 && dims.size() != 3) {
    throw InputError(impl_->where(dataset) + " has shape " + hdf5::shape_text(dims) +
                     "; expected (rows, width) or (levels, rows, width)");
  }
  const hsize_t rows = dims[dims.size() - 2];
  const hsize_t width = dims.back();
  if (first_row + local_rows > rows) {
    throw InputError(impl_->where(dataset) + ": rows [" + std::to_string(first_row) + ", " +
                     std::to_string(first_row + local_rows) + ") requested; expected rows below " +
                     std::to_string(rows));
  }
  hdf5::Block block = hdf5::row_block(first_row, local_rows, width);
  if (dims.size() == 3) {
    block = hdf5::at_level(impl_->level_index(dataset, dims[0], level), block);
  }
  std::vector<double> values(block.size());
  impl_->read(stored, block, values.data());
  return values;
}

double InputFile::read_double_attribute(const std::string& object, const std::string& name) const {
  const hdf5::Attribute attribute = impl_->attribute(object, name);
  impl_->type_of(attribute, {H5T_FLOAT, H5T_INTEGER}, object, name, "a number");
  double value = 0;
  RELAX_HDF5(H5Aread(attribute, H5T_NATIVE_DOUBLE, &value));
  return value;
}

std::int64_t InputFile::read_int_attribute(const std::string& object,
                                           const std::string& name) const {
  const Impl::Integer value = impl_->integer(object, name);
  if (!value.is_signed &&
      value.as_unsigned > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    throw InputError(impl_->attribute_name(object, name) + " = " +
                     std::to_string(value.as_unsigned) + "; expected a value below 2^63");
  }
  return value.is_signed ? value.as_signed : static_cast<std::int64_t>(value.as_unsigned);
}

std::uint64_t InputFile::read_uint_attribute(const std::string& object,
                                             const std::string& name) const {
  const Impl::Integer value = impl_->integer(object, name);
  if (value.is_signed && value.as_signed < 0) {
    throw InputError(impl_->attribute_name(object, name) + " = " + std::to_string(value.as_signed) +
                     "; expected a value >= 0");
  }
  return value.is_signed ? static_cast<std::uint64_t>(value.as_signed) : value.as_unsigned;
}

std::string InputFile::read_string_attribute(const std::string& object,
                                             const std::string& name) const {
  const hdf5::Attribute attribute = impl_->attribute(object, name);
  const hdf5::Datatype type = impl_->type_of(attribute, {H5T_STRING}, object, name, "a string");
  if (RELAX_HDF5(H5Tis_variable_str(type)) > 0) {
    char* text = nullptr;
    RELAX_HDF5(H5Aread(attribute, type, &text));
    std::string value = text != nullptr ? text : "";
    H5free_memory(text);
    return value;
  }
  std::string value(H5Tget_size(type) + 1, '\0');
  RELAX_HDF5(H5Aread(attribute, type, value.data()));
  value.resize(std::strlen(value.c_str())); // fixed-length strings are padded with NULs
  return value;
}

void require_same_problem(MPI_Comm comm, const Config& config, const std::string& restart_key,
                          const std::vector<std::string>& allowed) {
  const std::string& path = config.text(restart_key);
  const InputFile file(comm, path);
  const std::string stored = file.read_string_attribute("/", "config");
  const std::optional<KeyDifference> difference = config.first_difference(stored, allowed);
  if (difference) {
    std::string keys;
    for (const std::string& key : allowed) {
      keys += (keys.empty() ? "" : ", ") + key + (key.back() == '.' ? "*" : "");
    }
    throw InputError(restart_key + " = '" + path + "': its run had " + difference->key + " = '" +
                     difference->before + "', this run has '" + difference->now +
                     "'; expected the same problem (a restart may change only " + keys + ")");
  }
}

} // namespace relax
