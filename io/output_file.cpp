#include "io/output_file.hpp"

#include "core/error.hpp"
#include "core/mpi.hpp"
#include "core/profiling.hpp"
#include "core/version.hpp"
#include "io/field_layout.hpp"
#include "io/hdf5.hpp"
#include "io/xdmf.hpp"

#include <H5DSpublic.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace relax {

namespace {

/// Rank 0's verdict on an output path: empty when "<path>.part" could be created (it is left
/// empty, to be truncated by H5Fcreate), otherwise the one-line reason. Creating the file is the
/// only reliable test: access() says yes to root on a read-only file system.
std::string output_path_problem(const std::string& path, const std::string& part) {
  const std::string what = "output file '" + path + "': ";
  const std::string expected = "; expected a writable file path in an existing directory";
  if (path.empty()) {
    return "output file '': empty path" + expected;
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    return what + "is a directory" + expected;
  }
  const int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd < 0) {
    return what + "cannot create '" + part + "' (" + std::strerror(errno) + ")" + expected;
  }
  ::close(fd);
  return {};
}

/// "<path minus .h5>.xmf"
std::string xdmf_path(const std::string& path) {
  const std::string suffix = ".h5";
  if (path.size() > suffix.size() &&
      path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return path.substr(0, path.size() - suffix.size()) + ".xmf";
  }
  return path + ".xmf";
}

std::string base_name(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool same_axes(const std::vector<Axis>& a, const std::vector<Axis>& b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].lo != b[i].lo || a[i].hi != b[i].hi || a[i].n != b[i].n) {
      return false;
    }
  }
  return true;
}

/// A typed value for an attribute: the type in the file and in memory.
struct AttributeType {
  hid_t file;
  hid_t memory;
};
AttributeType double_type() {
  return {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE};
}
AttributeType int64_type() {
  return {H5T_STD_I64LE, H5T_NATIVE_INT64};
}
AttributeType uint64_type() {
  return {H5T_STD_U64LE, H5T_NATIVE_UINT64};
}
AttributeType int8_type() {
  return {H5T_STD_I8LE, H5T_NATIVE_INT8};
}

/// How a dataset's axes map onto dimensions, for the dimension scales attached by finish().
struct DatasetAxes {
  bool series = false;     ///< axis 0 is the time (level) axis
  int grid_axes = 0;       ///< the last grid_axes axes are grid axes x_{grid_axes-1} .. x0
  bool coordinate = false; ///< a grid coordinate /grid/x<a>: the scale of its own axis
};

/// A dimension named by name_axis.
struct NamedAxis {
  std::string name;
  std::vector<std::string> labels;
};

/// netCDF's NAME of a dimension scale that is no variable (read by h5netcdf as a bare dimension).
std::string bare_dimension_name(hsize_t size) {
  char buffer[96];
  std::snprintf(buffer, sizeof buffer,
                "This is a netCDF dimension but not a netCDF variable.%10llu",
                static_cast<unsigned long long>(size));
  return buffer;
}

} // namespace

struct OutputFile::Impl {
  MPI_Comm comm;
  int rank;
  std::string path;
  std::string part_path;
  hdf5::File file_handle;
  hdf5::PropertyList transfer;
  hdf5::PropertyList link_creation; ///< creates missing groups along a dataset's path
  std::map<std::string, std::vector<Axis>> field_series; ///< for the XDMF sidecar
  std::map<std::string, DatasetAxes> datasets;           ///< for the dimension scales
  std::map<std::string, Quantity> descriptions;
  std::map<std::string, std::string> series_axes;                      ///< group -> axis dataset
  std::map<std::pair<std::string, std::size_t>, NamedAxis> named_axes; ///< (dataset, axis)
  bool finished = false;
  /// Rank 0: device and inode of the "<path>.part" this run created; only that file is renamed.
  dev_t part_device = 0;
  ino_t part_inode = 0;

  Impl(MPI_Comm comm_, const std::string& path_)
      : comm(comm_), rank(comm_rank(comm_)), path(path_), part_path(path_ + ".part") {
    hdf5::silence_error_printing();
    transfer = hdf5::collective_transfer();
    link_creation = hdf5::PropertyList(RELAX_HDF5(H5Pcreate(H5P_LINK_CREATE)));
    RELAX_HDF5(H5Pset_create_intermediate_group(link_creation, 1));
  }

  hid_t file() const {
    if (finished) {
      throw Error("output file '" + path + "' written after finish()");
    }
    return file_handle;
  }

  /// A dataset without time axis: the existing one is reused (overwritten in place) when it has
  /// the same shape and is not a series; otherwise it is replaced.
  hdf5::Dataset fixed_dataset(const std::string& name, const std::vector<hsize_t>& dims) {
    const std::string full = hdf5::absolute_path(name);
    if (hdf5::exists(file(), full)) {
      hdf5::Dataset existing(RELAX_HDF5(H5Dopen2(file(), full.c_str(), H5P_DEFAULT)));
      hdf5::PropertyList creation(RELAX_HDF5(H5Dget_create_plist(existing)));
      if (hdf5::dataset_dims(existing) == dims && H5Pget_layout(creation) != H5D_CHUNKED) {
        return existing;
      }
      existing.reset();
      RELAX_HDF5(H5Ldelete(file(), full.c_str(), H5P_DEFAULT));
    }
    hdf5::PropertyList creation(RELAX_HDF5(H5Pcreate(H5P_DATASET_CREATE)));
    RELAX_HDF5(H5Pset_fill_time(creation, H5D_FILL_TIME_NEVER));
    const hdf5::Dataspace space = hdf5::simple_space(dims);
    hdf5::Dataset created(RELAX_HDF5(H5Dcreate2(file(), full.c_str(), H5T_IEEE_F64LE, space,
                                                link_creation, creation, H5P_DEFAULT)));
    datasets[full] = DatasetAxes{};
    write_description(full, created);
    return created;
  }

  /// The series `name` with levels of shape `level_shape`, extended by one level whose index is
  /// returned in `level`. Created (chunked, extendible) on first use.
  hdf5::Dataset next_level(const std::string& name, const std::vector<hsize_t>& level_shape,
                           hsize_t& level, hid_t file_type = H5T_IEEE_F64LE) {
    const std::string full = hdf5::absolute_path(name);
    std::vector<hsize_t> dims{0};
    dims.insert(dims.end(), level_shape.begin(), level_shape.end());
    hdf5::Dataset dataset;
    if (hdf5::exists(file(), full)) {
      dataset = hdf5::Dataset(RELAX_HDF5(H5Dopen2(file(), full.c_str(), H5P_DEFAULT)));
      const std::vector<hsize_t> existing = hdf5::dataset_dims(dataset);
      if (existing.empty() ||
          !std::equal(existing.begin() + 1, existing.end(), dims.begin() + 1, dims.end())) {
        throw Error("output file '" + path + "': series '" + full + "' has shape " +
                    hdf5::shape_text(existing) + ", cannot append a level of shape " +
                    hdf5::shape_text(level_shape));
      }
      dims[0] = existing[0];
    } else {
      std::vector<hsize_t> max_dims = dims;
      max_dims[0] = H5S_UNLIMITED;
      const std::vector<hsize_t> chunk = hdf5::series_chunk(level_shape);
      hdf5::PropertyList creation(RELAX_HDF5(H5Pcreate(H5P_DATASET_CREATE)));
      RELAX_HDF5(H5Pset_chunk(creation, static_cast<int>(chunk.size()), chunk.data()));
      RELAX_HDF5(H5Pset_fill_time(creation, H5D_FILL_TIME_NEVER));
      const hdf5::Dataspace space = hdf5::simple_space(dims, max_dims);
      dataset = hdf5::Dataset(RELAX_HDF5(H5Dcreate2(file(), full.c_str(), file_type, space,
                                                    link_creation, creation, H5P_DEFAULT)));
      datasets[full].series = true;
      write_description(full, dataset);
    }
    level = dims[0]++;
    RELAX_HDF5(H5Dset_extent(dataset, dims.data()));
    return dataset;
  }

  /// Collective write of this rank's `block` (possibly empty) from `data`, in block order.
  void write(hid_t dataset, const hdf5::Block& block, const void* data,
             hid_t memory_type = H5T_NATIVE_DOUBLE) const {
    const PhaseScope phase(Phase::hdf5_output);
    const hdf5::Dataspace file_space = hdf5::file_selection(dataset, block);
    const hdf5::Dataspace memory = hdf5::memory_space(block.size());
    RELAX_HDF5(H5Dwrite(dataset, memory_type, memory, file_space, transfer, data));
  }

  /// Collective: appends one value of a typed scalar series.
  hdf5::Dataset append_typed(const std::string& name, hid_t file_type, hid_t memory_type,
                             const void* value) {
    hsize_t level = 0;
    hdf5::Dataset series = next_level(name, {}, level, file_type);
    write(series, hdf5::at_level(level, hdf5::root_block({}, rank)), value, memory_type);
    return series;
  }

  /// Collective: long_name and units of the dataset `full`, when describe() named them.
  void write_description(const std::string& full, hid_t dataset) {
    const auto found = descriptions.find(full);
    if (found == descriptions.end()) {
      return;
    }
    write_strings_on(dataset, "long_name", found->second.long_name);
    write_strings_on(dataset, "units", found->second.units);
  }

  void write_strings_on(hid_t target, const std::string& attribute, const std::string& value) {
    if (RELAX_HDF5(H5Aexists(target, attribute.c_str())) > 0) {
      RELAX_HDF5(H5Adelete(target, attribute.c_str()));
    }
    const hdf5::Datatype type = hdf5::string_type();
    const hdf5::Dataspace space = hdf5::simple_space({});
    const hdf5::Attribute written(
        RELAX_HDF5(H5Acreate2(target, attribute.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT)));
    const char* text = value.c_str();
    RELAX_HDF5(H5Awrite(written, type, &text));
  }

  /// True when `name` is a one-dimensional dataset of `size` values.
  bool is_axis(const std::string& name, hsize_t size) {
    if (!hdf5::exists(file(), name)) {
      return false;
    }
    const hdf5::Object object(RELAX_HDF5(H5Oopen(file(), name.c_str(), H5P_DEFAULT)));
    return H5Iget_type(object) == H5I_DATASET &&
           hdf5::dataset_dims(object) == std::vector<hsize_t>{size};
  }

  /// The series axis of the series `name`: set_series_axis of it, of its group or of the nearest
  /// parent group, else its group's "time".
  std::string series_axis_of(const std::string& name) const {
    const std::string group = hdf5::parent_path(name);
    const auto own = series_axes.find(name);
    if (own != series_axes.end()) {
      return own->second;
    }
    for (std::string g = group;; g = hdf5::parent_path(g)) {
      const auto found = series_axes.find(g);
      if (found != series_axes.end()) {
        return found->second;
      }
      if (g == "/") {
        return hdf5::absolute_path(group + "/time");
      }
    }
  }

  /// Collective: marks `scale` (once) as the dimension scale `name`.
  void make_scale(const std::string& scale, const std::string& name, std::set<std::string>& made) {
    if (made.insert(scale).second) {
      const hdf5::Dataset dataset(RELAX_HDF5(H5Dopen2(file(), scale.c_str(), H5P_DEFAULT)));
      RELAX_HDF5(H5DSset_scale(dataset, name.c_str()));
    }
  }

  /// Collective: "<group>/<name>" as a dimension of `size`: the labels as fixed-length strings, or
  /// without labels a dimension with no coordinate (a one-byte dataset nothing is written to).
  std::string dimension(const std::string& group, const std::string& name, hsize_t size,
                        const std::vector<std::string>& labels, std::set<std::string>& made) {
    const std::string full = hdf5::absolute_path(group + "/" + name);
    if (!hdf5::exists(file(), full)) {
      const hdf5::Dataspace space = hdf5::simple_space({size});
      if (labels.empty()) {
        hdf5::PropertyList creation(RELAX_HDF5(H5Pcreate(H5P_DATASET_CREATE)));
        RELAX_HDF5(H5Pset_fill_time(creation, H5D_FILL_TIME_NEVER));
        const hdf5::Dataset created(RELAX_HDF5(H5Dcreate2(file(), full.c_str(), H5T_STD_I8LE, space,
                                                          link_creation, creation, H5P_DEFAULT)));
        RELAX_HDF5(H5DSset_scale(created, bare_dimension_name(size).c_str()));
        made.insert(full);
        return full;
      }
      std::size_t width = 1;
      for (const std::string& label : labels) {
        width = std::max(width, label.size());
      }
      std::string packed;
      for (const std::string& label : labels) {
        packed += label + std::string(width - label.size(), '\0');
      }
      const hdf5::Datatype type(RELAX_HDF5(H5Tcopy(H5T_C_S1)));
      RELAX_HDF5(H5Tset_size(type, width));
      RELAX_HDF5(H5Tset_strpad(type, H5T_STR_NULLPAD));
      const hdf5::Dataset created(RELAX_HDF5(
          H5Dcreate2(file(), full.c_str(), type, space, link_creation, H5P_DEFAULT, H5P_DEFAULT)));
      write(created, hdf5::root_block({size}, rank), packed.data(), type);
      write_strings_on(created, "_Encoding", "utf-8"); // read back as str by xarray
    }
    make_scale(full, name, made);
    return full;
  }

  /// The dimension scale for axis `k` (of `size` values) of the dataset `full`.
  std::string scale_of(const std::string& full, const DatasetAxes& axes, std::size_t k,
                       std::size_t rank_of_dataset, hsize_t size, std::set<std::string>& made) {
    const std::string group = hdf5::parent_path(full);
    const bool is_series_axis =
        std::any_of(series_axes.begin(), series_axes.end(),
                    [&](const auto& entry) { return entry.second == full; });
    if (axes.coordinate || is_series_axis) { // a coordinate (/sde/particles_time): its own scale
      make_scale(full, base_name(full), made);
      return full;
    }
    const auto named = named_axes.find({full, k});
    if (named != named_axes.end()) {
      return dimension(group, named->second.name, size, named->second.labels, made);
    }
    if (k == 0 && axes.series) {
      const std::string axis = series_axis_of(full);
      if (is_axis(axis, size)) {
        make_scale(axis, base_name(axis), made);
        return axis;
      }
    }
    const auto grid_axis = static_cast<int>(rank_of_dataset - 1 - k);
    if (grid_axis < axes.grid_axes) {
      const std::string name = "x" + std::to_string(grid_axis);
      const std::string axis = "/grid/" + name;
      if (is_axis(axis, size)) {
        make_scale(axis, name, made);
        // The coordinate as "<group>/x<a>" too (a hard link, no copy): netCDF readers take the
        // coordinates of a group's variables from the group itself. A group with a dataset of
        // that name (/hj/grad/x0) finds the dimension through the root's /x<a> (write_grid).
        const std::string local = hdf5::absolute_path(group + "/" + name);
        if (!hdf5::exists(file(), local)) {
          RELAX_HDF5(H5Lcreate_hard(file(), axis.c_str(), file(), local.c_str(), link_creation,
                                    H5P_DEFAULT));
        }
        return axis;
      }
    }
    return dimension(group, "n" + std::to_string(size), size, {}, made);
  }

  /// Collective: attaches a dimension scale to every axis of every dataset written (finish()).
  void attach_dimension_scales() {
    std::set<std::string> made;
    for (const auto& [full, axes] : datasets) {
      if (!hdf5::exists(file(), full)) {
        continue;
      }
      const std::vector<hsize_t> dims = [&] {
        const hdf5::Dataset dataset(RELAX_HDF5(H5Dopen2(file(), full.c_str(), H5P_DEFAULT)));
        return hdf5::dataset_dims(dataset);
      }();
      for (std::size_t k = 0; k < dims.size(); ++k) {
        const std::string scale = scale_of(full, axes, k, dims.size(), dims[k], made);
        if (scale == full) {
          continue; // a coordinate: the scale of its own axis
        }
        const hdf5::Dataset dataset(RELAX_HDF5(H5Dopen2(file(), full.c_str(), H5P_DEFAULT)));
        const hdf5::Dataset scale_dataset(RELAX_HDF5(H5Dopen2(file(), scale.c_str(), H5P_DEFAULT)));
        RELAX_HDF5(H5DSattach_scale(dataset, scale_dataset, static_cast<unsigned>(k)));
      }
    }
  }

  /// Opens the group or dataset `object`, creating a group when there is none.
  hdf5::Object object(const std::string& name) {
    const std::string full = hdf5::absolute_path(name);
    if (!hdf5::exists(file(), full)) {
      hdf5::Group(
          RELAX_HDF5(H5Gcreate2(file(), full.c_str(), link_creation, H5P_DEFAULT, H5P_DEFAULT)));
    }
    return hdf5::Object(RELAX_HDF5(H5Oopen(file(), full.c_str(), H5P_DEFAULT)));
  }

  /// Collective; every rank passes the same value (attributes are metadata, which parallel HDF5
  /// requires to be identical on all ranks). `count` 0: a scalar.
  void write_attribute(const std::string& name, const std::string& attribute, AttributeType type,
                       std::size_t count, const void* data) {
    const hdf5::Object target = object(name);
    if (RELAX_HDF5(H5Aexists(target, attribute.c_str())) > 0) {
      RELAX_HDF5(H5Adelete(target, attribute.c_str()));
    }
    const hdf5::Dataspace space =
        hdf5::simple_space(count == 0 ? std::vector<hsize_t>{} : std::vector<hsize_t>{count});
    const hdf5::Attribute written(RELAX_HDF5(
        H5Acreate2(target, attribute.c_str(), type.file, space, H5P_DEFAULT, H5P_DEFAULT)));
    RELAX_HDF5(H5Awrite(written, type.memory, data));
  }

  void write_strings(const std::string& name, const std::string& attribute,
                     const std::vector<std::string>& values, bool scalar) {
    std::vector<const char*> pointers;
    for (const std::string& value : values) {
      pointers.push_back(value.c_str());
    }
    const hdf5::Datatype type = hdf5::string_type();
    write_attribute(name, attribute, {type, type}, scalar ? 0 : values.size(), pointers.data());
  }

  /// Collective: the values of the series axis of `group` (series_axis_of) on every rank; none
  /// when there is no such one-dimensional dataset.
  std::vector<double> group_times(const std::string& group) {
    const std::string name = series_axis_of(hdf5::absolute_path(group + "/time"));
    if (!hdf5::exists(file(), name)) {
      return {};
    }
    const hdf5::Object object(RELAX_HDF5(H5Oopen(file(), name.c_str(), H5P_DEFAULT)));
    if (H5Iget_type(object) != H5I_DATASET || hdf5::dataset_dims(object).size() != 1) {
      return {};
    }
    std::vector<double> values(static_cast<std::size_t>(hdf5::dataset_dims(object)[0]));
    RELAX_HDF5(H5Dread(object, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, transfer, values.data()));
    return values;
  }

  /// The field series grouped for the XDMF sidecar: one collection per group (and grid), timed by
  /// the group's "time" series when it has exactly one value per level, else by the level index.
  std::vector<XdmfSeries> xdmf_series() {
    std::map<std::string, XdmfSeries> collections;
    for (const auto& [name, axes] : field_series) {
      const hdf5::Dataset dataset(RELAX_HDF5(H5Dopen2(file(), name.c_str(), H5P_DEFAULT)));
      const std::string group = hdf5::parent_path(name);
      const std::string key =
          collections.count(group) == 0 || same_axes(collections[group].axes, axes) ? group : name;
      XdmfSeries& series = collections[key];
      series.name = key == "/" ? std::string("root") : key.substr(1);
      series.axes = axes;
      series.fields.push_back(
          {base_name(name), name, static_cast<std::size_t>(hdf5::dataset_dims(dataset)[0])});
    }
    std::vector<XdmfSeries> result;
    for (auto& [key, series] : collections) {
      std::size_t levels = 0;
      for (const XdmfField& field : series.fields) {
        levels = std::max(levels, field.levels);
      }
      series.times = group_times(hdf5::parent_path(series.fields[0].dataset));
      if (series.times.size() != levels) { // not one time per level: number the levels
        series.times.clear();
        for (std::size_t t = 0; t < levels; ++t) {
          series.times.push_back(static_cast<double>(t));
        }
      }
      result.push_back(series);
    }
    return merge_series_on_one_time_axis(result);
  }

  /// Rank 0: writes the XDMF sidecar of `series` beside `h5_path`, pointing at it; empty or the
  /// reason it failed.
  std::string write_sidecar(const std::vector<XdmfSeries>& series,
                            const std::string& h5_path) const {
    if (series.empty()) {
      return {};
    }
    const std::string xmf = xdmf_path(h5_path);
    std::ofstream out(xmf);
    out << xdmf_document(base_name(h5_path), series);
    if (!out.flush()) {
      return "output file '" + path + "': cannot write the XDMF sidecar '" + xmf + "'";
    }
    return {};
  }

  /// Collective: the sidecar of the temporary, so that what a killed run leaves opens as it is.
  void write_part_sidecar() {
    const std::vector<XdmfSeries> series = xdmf_series();
    const std::string problem =
        hdf5::message_from_root(comm, [&] { return write_sidecar(series, part_path); });
    if (!problem.empty()) {
      throw Error(problem);
    }
  }

  /// Collective: closes the file, writes the XDMF sidecar, renames "<path>.part" to <path> and
  /// removes the temporary's sidecar.
  void close_and_rename() {
    const PhaseScope phase(Phase::hdf5_output);
    attach_dimension_scales();
    const std::vector<XdmfSeries> series = xdmf_series();
    finished = true;
    RELAX_HDF5(H5Fclose(file_handle.release()));
    RELAX_MPI(MPI_Barrier(comm)); // every rank's data is in the file before it gets its name
    const std::string problem = hdf5::message_from_root(comm, [&]() -> std::string {
      if (std::string failed = write_sidecar(series, path); !failed.empty()) {
        return failed;
      }
      struct stat info {};
      if (::stat(part_path.c_str(), &info) != 0 || info.st_dev != part_device ||
          info.st_ino != part_inode) {
        return "output file '" + path + "': '" + part_path +
               "' is no longer the file this run wrote (removed or replaced by another process); "
               "not renamed";
      }
      if (std::rename(part_path.c_str(), path.c_str()) != 0) {
        return "output file '" + path + "': cannot rename '" + part_path + "' (" +
               std::strerror(errno) + ")";
      }
      std::remove(xdmf_path(part_path).c_str());
      return {};
    });
    if (!problem.empty()) {
      throw Error(problem);
    }
  }
};

std::string density_units(int dim) {
  return dim == 1 ? std::string("1/length") : "1/length^" + std::to_string(dim);
}

void declare_output_options(OptionSet& options, const std::string& default_file) {
  options.text("output.file", default_file, "HDF5 output file");
}

OutputFile::OutputFile(MPI_Comm comm, const std::string& path, const RunAttributes& attributes)
    : impl_(std::make_unique<Impl>(comm, path)) {
  Impl& impl = *impl_;
  const std::string problem =
      hdf5::message_from_root(comm, [&] { return output_path_problem(impl.path, impl.part_path); });
  if (!problem.empty()) {
    throw InputError(problem);
  }
  if (!attributes.continues.empty()) {
    const std::string copied = hdf5::message_from_root(comm, [&]() -> std::string {
      std::error_code error;
      std::filesystem::copy_file(attributes.continues, impl.part_path,
                                 std::filesystem::copy_options::overwrite_existing, error);
      return error ? "output file '" + path + "': cannot copy '" + attributes.continues +
                         "' to continue it (" + error.message() + ")"
                   : std::string();
    });
    if (!copied.empty()) {
      throw InputError(copied);
    }
  }
  const hdf5::PropertyList access = hdf5::mpio_file_access(comm);
  const hid_t id = attributes.continues.empty()
                       ? H5Fcreate(impl.part_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access)
                       : H5Fopen(impl.part_path.c_str(), H5F_ACC_RDWR, access);
  if (id < 0) {
    const std::string message = hdf5::error_stack_message();
    hdf5::message_from_root(comm, [&] {
      std::remove(impl.part_path.c_str());
      return std::string();
    });
    throw InputError("output file '" + path + "': cannot create '" + impl.part_path +
                     "': " + message);
  }
  impl.file_handle = hdf5::File(id);
  if (impl.rank == 0) {
    struct stat info {};
    if (::stat(impl.part_path.c_str(), &info) == 0) {
      impl.part_device = info.st_dev;
      impl.part_inode = info.st_ino;
    }
  }

  impl.write_strings("/", "relax_version", {relax_version}, true);
  impl.write_strings("/", "command", {attributes.command}, true);
  impl.write_strings("/", "config", {attributes.config}, true);
  const std::int64_t nranks = comm_size(comm);
  impl.write_attribute("/", "nranks", int64_type(), 0, &nranks);
  impl.write_attribute("/", "seed", uint64_type(), 0, &attributes.seed);
}

OutputFile::~OutputFile() {
  if (impl_ && !impl_->finished) {
    try {
      impl_->close_and_rename();
    } catch (
        ...) { // NOLINT(bugprone-empty-catch): a destructor must not throw; "<path>.part" stays
    }
  }
}

void OutputFile::finish() {
  if (!impl_->finished) {
    impl_->close_and_rename();
  }
}

const std::string& OutputFile::path() const {
  return impl_->path;
}

void OutputFile::write_grid(const Grid& grid) {
  const std::string group = "/grid";
  std::vector<double> lo;
  std::vector<double> hi;
  std::vector<std::int64_t> n;
  std::vector<std::string> bc;
  for (const Axis& axis : grid.axes()) {
    lo.push_back(axis.lo);
    hi.push_back(axis.hi);
    n.push_back(axis.n);
    bc.push_back(to_string(axis.boundary));
  }
  const std::int64_t dim = grid.dim();
  impl_->write_attribute(group, "dim", int64_type(), 0, &dim);
  impl_->write_attribute(group, "lo", double_type(), lo.size(), lo.data());
  impl_->write_attribute(group, "hi", double_type(), hi.size(), hi.data());
  impl_->write_attribute(group, "n", int64_type(), n.size(), n.data());
  impl_->write_strings(group, "bc", bc, false);
  for (int a = 0; a < grid.dim(); ++a) {
    const Axis& axis = grid.axis(a);
    std::vector<double> centres;
    for (int i = 0; i < axis.n; ++i) {
      centres.push_back(axis.centre(i));
    }
    const std::string name = group + "/x" + std::to_string(a);
    write_array(name, centres, {centres.size()});
    impl_->datasets[name].coordinate = true;
    // The same dataset as "/x<a>": netCDF readers look dimensions up in a group and its parents,
    // so a field in /fp finds the coordinate x<a> only at the root.
    const std::string root_name = "/x" + std::to_string(a);
    if (!hdf5::exists(impl_->file(), root_name)) {
      RELAX_HDF5(H5Lcreate_hard(impl_->file(), name.c_str(), impl_->file(), root_name.c_str(),
                                H5P_DEFAULT, H5P_DEFAULT));
    }
  }
}

void OutputFile::write_array(const std::string& dataset, const std::vector<double>& values,
                             const std::vector<std::size_t>& shape) {
  const std::vector<hsize_t> dims(shape.begin(), shape.end());
  std::size_t count = 1;
  for (std::size_t n : shape) {
    count *= n;
  }
  if (count != values.size()) {
    throw Error("output file '" + impl_->path + "': dataset '" + dataset + "' of shape " +
                hdf5::shape_text(dims) + " given " + std::to_string(values.size()) + " values");
  }
  const hdf5::Dataset written = impl_->fixed_dataset(dataset, dims);
  impl_->write(written, hdf5::root_block(dims, impl_->rank), values.data());
}

void OutputFile::write_attribute(const std::string& object, const std::string& name, double value) {
  impl_->write_attribute(object, name, double_type(), 0, &value);
}

void OutputFile::write_attribute(const std::string& object, const std::string& name,
                                 std::int64_t value) {
  impl_->write_attribute(object, name, int64_type(), 0, &value);
}

void OutputFile::write_attribute(const std::string& object, const std::string& name,
                                 const std::string& value) {
  impl_->write_strings(object, name, {value}, true);
}

void OutputFile::write_field(const std::string& dataset, const GridField& field) {
  const hdf5::Dataset written = impl_->fixed_dataset(dataset, hdf5::field_dims(field.grid()));
  const petsc::ConstVecArray values(field.vec());
  impl_->write(written, hdf5::owned_block(field.grid()), values.data());
  impl_->datasets[hdf5::absolute_path(dataset)].grid_axes = field.grid().dim();
}

void OutputFile::append_scalar(const std::string& dataset, double value) {
  hsize_t level = 0;
  const hdf5::Dataset series = impl_->next_level(dataset, {}, level);
  impl_->write(series, hdf5::at_level(level, hdf5::root_block({}, impl_->rank)), &value);
}

void OutputFile::append_row(const std::string& dataset, const std::vector<double>& row) {
  const std::vector<hsize_t> level_shape{row.size()};
  hsize_t level = 0;
  const hdf5::Dataset series = impl_->next_level(dataset, level_shape, level);
  impl_->write(series, hdf5::at_level(level, hdf5::root_block(level_shape, impl_->rank)),
               row.data());
}

void OutputFile::append_field(const std::string& dataset, const GridField& field) {
  hsize_t level = 0;
  const hdf5::Dataset series = impl_->next_level(dataset, hdf5::field_dims(field.grid()), level);
  const petsc::ConstVecArray values(field.vec());
  impl_->write(series, hdf5::at_level(level, hdf5::owned_block(field.grid())), values.data());
  impl_->field_series.emplace(hdf5::absolute_path(dataset), field.grid().axes());
  impl_->datasets[hdf5::absolute_path(dataset)].grid_axes = field.grid().dim();
}

void OutputFile::append_count(const std::string& dataset, std::int64_t value) {
  impl_->append_typed(dataset, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void OutputFile::append_flag(const std::string& dataset, bool value) {
  const std::int8_t flag = value ? 1 : 0;
  const hdf5::Dataset series = impl_->append_typed(dataset, H5T_STD_I8LE, H5T_NATIVE_INT8, &flag);
  if (hdf5::dataset_dims(series)[0] == 1) { // created just now
    const std::int8_t values[2] = {0, 1};
    impl_->write_attribute(dataset, "flag_values", int8_type(), 2, values);
    impl_->write_strings(dataset, "flag_meanings", {"false true"}, true);
  }
}

void OutputFile::describe(const std::string& dataset, const Quantity& quantity) {
  const std::string full = hdf5::absolute_path(dataset);
  const auto known = impl_->descriptions.find(full);
  if (known != impl_->descriptions.end() && known->second.long_name == quantity.long_name &&
      known->second.units == quantity.units) {
    return; // writers describe at every output; once is enough
  }
  impl_->descriptions[full] = quantity;
  if (hdf5::exists(impl_->file(), full)) {
    const hdf5::Dataset existing(RELAX_HDF5(H5Dopen2(impl_->file(), full.c_str(), H5P_DEFAULT)));
    impl_->write_description(full, existing);
  }
}

void OutputFile::describe_all(const std::string& group,
                              const std::vector<std::pair<std::string, Quantity>>& quantities) {
  for (const auto& [name, quantity] : quantities) {
    describe(group + "/" + name, quantity);
  }
}

void OutputFile::set_series_axis(const std::string& group, const std::string& axis) {
  impl_->series_axes[hdf5::absolute_path(group)] = hdf5::absolute_path(axis);
}

void OutputFile::name_axis(const std::string& dataset, std::size_t axis, const std::string& name,
                           const std::vector<std::string>& labels) {
  impl_->named_axes[{hdf5::absolute_path(dataset), axis}] = NamedAxis{name, labels};
}

namespace {
void check_rows(const std::string& path, const std::string& dataset, std::size_t local_rows,
                std::size_t first_row, std::size_t total_rows) {
  if (first_row + local_rows > total_rows) {
    throw Error("output file '" + path + "': rows [" + std::to_string(first_row) + ", " +
                std::to_string(first_row + local_rows) + ") of '" + dataset + "' exceed its " +
                std::to_string(total_rows) + " rows");
  }
}
} // namespace

void OutputFile::append_rows(const std::string& dataset, const double* local,
                             std::size_t local_rows, std::size_t first_row, std::size_t total_rows,
                             std::size_t width) {
  check_rows(impl_->path, dataset, local_rows, first_row, total_rows);
  hsize_t level = 0;
  const hdf5::Dataset series = impl_->next_level(dataset, {total_rows, width}, level);
  impl_->write(series, hdf5::at_level(level, hdf5::row_block(first_row, local_rows, width)), local);
}

void OutputFile::write_rows(const std::string& dataset, const double* local, std::size_t local_rows,
                            std::size_t first_row, std::size_t total_rows, std::size_t width) {
  check_rows(impl_->path, dataset, local_rows, first_row, total_rows);
  const hdf5::Dataset written = impl_->fixed_dataset(dataset, {total_rows, width});
  impl_->write(written, hdf5::row_block(first_row, local_rows, width), local);
}

void OutputFile::flush() {
  const PhaseScope phase(Phase::hdf5_output);
  RELAX_HDF5(H5Fflush(impl_->file(), H5F_SCOPE_GLOBAL));
  if (!impl_->field_series.empty()) {
    impl_->write_part_sidecar();
  }
}

std::function<std::vector<double>(const std::string& path, const std::string& dataset,
                                  std::vector<std::size_t>& shape)>
whole_dataset_reader(MPI_Comm comm) {
  return
      [comm](const std::string& path, const std::string& dataset, std::vector<std::size_t>& shape) {
        const InputFile file(comm, path);
        shape = file.shape(dataset);
        return file.read_array(dataset);
      };
}

} // namespace relax
