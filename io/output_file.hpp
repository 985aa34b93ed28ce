// One HDF5 file per run, written collectively with MPI-IO (docs/output.md). The file is created as
// "<path>.part" and renamed to <path> by finish() (or the destructor, also while an exception
// unwinds, so a numerical failure leaves the last good state under the final name). Time series are
// extendible, chunked datasets: every append_* adds one time level, and flush() makes the file
// readable as it stands, so a killed run leaves "<path>.part" with every completed output (a kill
// while an output is being written may lose that output: HDF5 1.10 has no crash-safe parallel
// mode). Solvers never see HDF5 ids: commands hand fields and numbers to this writer. Dataset and
// object names are paths from the root ("fp/density" and "/fp/density" are the same).
#pragma once

#include "core/config.hpp"
#include "grids/grid.hpp"

#include <mpi.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace relax {

/// [output] file, with the run's default file name.
void declare_output_options(OptionSet& options, const std::string& default_file);

/// What a dataset holds, for readers that show names and units (xarray, ParaView, h5py): the
/// attributes long_name and units (the unit names of the keys: "time", "length", "1/length^d";
/// "1" for dimensionless numbers, "count" for counts).
struct Quantity {
  std::string long_name;
  std::string units;
};

/// Units of a density on a `dim`-dimensional grid: "1/length", "1/length^2", "1/length^3".
std::string density_units(int dim);

/// The root attributes of every output file besides relax_version and nranks.
struct RunAttributes {
  std::string command; ///< "fp", "sde", "compare", ...
  std::string config;  ///< the resolved configuration as INI (Config::to_ini)
  std::uint64_t seed = 0;
  /// An earlier output to continue in place: the file starts as a copy of it (its series then
  /// grow), and the finished file replaces it. Empty: a new file.
  std::string continues = {}; // (initialized: most callers leave it out)
};

class OutputFile {
public:
  /// Collective. Creates "<path>.part" (a copy of attributes.continues when set) and writes the
  /// root attributes relax_version, command,
  /// config, nranks (int64) and seed (uint64). InputError naming the path when it cannot be
  /// created (missing directory, no permission, a directory); nothing is left behind in that case.
  /// `comm` must outlive the file; every grid handed to it lives on `comm`.
  OutputFile(MPI_Comm comm, const std::string& path, const RunAttributes& attributes);
  /// Finishes the file if finish() was not called; never throws (on failure "<path>.part" stays).
  /// Collective, so it must not run while only some ranks unwind an exception.
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  /// Collective: attaches dimension scales (H5DS, read by xarray/netCDF as named dimensions with
  /// coordinates): axis 0 of a series to its series axis (set_series_axis; default its group's
  /// "time") when that has the same length, the grid axes of a field to /grid/x0.., axes named by
  /// name_axis to theirs, and every other axis to a dimension "n<size>" of its group. Then flushes,
  /// closes, writes the XDMF sidecar "<path minus .h5>.xmf" for the series appended with
  /// append_field (timed by the group's "time" series when it has one value per level, e.g.
  /// /fp/time for /fp/density; otherwise by the level index) and renames to the final path, but
  /// only the "<path>.part" this run created (Error when another process replaced it). Later
  /// writes throw Error.
  void finish();
  const std::string& path() const;

  /// Collective: /grid with per-axis datasets x0, x1, x2 (cell centres) and attributes dim (int64),
  /// lo, hi (double[dim]), n (int64[dim]) and bc (string[dim]); the root links /x0, /x1, /x2 to
  /// the same datasets (the coordinates every group's fields share).
  void write_grid(const Grid& grid);

  /// Collective writes of data every rank holds identically (rank 0 writes; others take part in the
  /// collective calls). Groups along `dataset` are created as needed. Writing a dataset again
  /// overwrites it in place when the shape is unchanged (checkpoints), else replaces it. An
  /// attribute of a missing object creates a group there; attributes are rewritten freely.
  void write_array(const std::string& dataset, const std::vector<double>& values,
                   const std::vector<std::size_t>& shape);
  void write_attribute(const std::string& object, const std::string& name, double value);
  void write_attribute(const std::string& object, const std::string& name, std::int64_t value);
  void write_attribute(const std::string& object, const std::string& name,
                       const std::string& value);

  /// Collective: a distributed grid field as one dataset of shape (nz, ny, nx), with only the
  /// grid's axes ((ny, nx) in 2D, (nx) in 1D). Each rank writes its owned cells as one hyperslab.
  void write_field(const std::string& dataset, const GridField& field);

  /// Time series: each call appends one time level along a leading extendible axis.
  /// Collective; the dataset is created on first use.
  void append_scalar(const std::string& dataset, double value);
  void append_row(const std::string& dataset, const std::vector<double>& row); ///< shape (t, m)
  void append_field(const std::string& dataset, const GridField& field); ///< shape (t, nz, ny, nx)
  /// A distributed (N, width) row-major block: this rank holds `local_rows` rows starting at global
  /// row `first_row`. Written as shape (t, N, width). Used for particle snapshots.
  void append_rows(const std::string& dataset, const double* local, std::size_t local_rows,
                   std::size_t first_row, std::size_t total_rows, std::size_t width);
  /// The same block as one (N, width) dataset without a time axis, for particle checkpoints.
  void write_rows(const std::string& dataset, const double* local, std::size_t local_rows,
                  std::size_t first_row, std::size_t total_rows, std::size_t width);

  /// Typed series: int64 counts, and 0/1 flags as int8 with the CF attributes flag_values (0, 1)
  /// and flag_meanings ("false true").
  void append_count(const std::string& dataset, std::int64_t value);
  void append_flag(const std::string& dataset, bool value);

  /// Collective: long_name and units of `dataset`, written now if it exists, else when it is
  /// created. Every writer describes the datasets it writes (docs/output.md lists them).
  void describe(const std::string& dataset, const Quantity& quantity);
  /// describe() for each (name, quantity) of the table: the datasets "<group>/<name>".
  void describe_all(const std::string& group,
                    const std::vector<std::pair<std::string, Quantity>>& quantities);
  /// The series of `group` (and of its subgroups) run along `axis` (a 1-D dataset, e.g.
  /// "hj/gamma"); the default axis of a group is its "time" dataset. `group` may also name one
  /// series ("sde/particles" along "sde/particles_time").
  void set_series_axis(const std::string& group, const std::string& axis);
  /// Collective: axis `axis` of `dataset` is the dimension `name` of its group, whose coordinate
  /// is the string dataset "<group>/<name>" holding `labels` (one per index; none: a dimension
  /// without coordinate). Datasets sharing a name share the dimension.
  void name_axis(const std::string& dataset, std::size_t axis, const std::string& name,
                 const std::vector<std::string>& labels = {});

  /// Collective: H5Fflush, so everything appended so far is readable after a kill, and the XDMF
  /// sidecar "<path>.part.xmf" of the temporary (pointing at "<path>.part"; removed by finish()).
  void flush();

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Read access to an existing relax (or any HDF5) file, for initial data and restarts. Collective.
class InputFile {
public:
  /// InputError naming the path when it does not exist or is not an HDF5 file.
  InputFile(MPI_Comm comm, const std::string& path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  bool exists(const std::string& object) const;
  /// Shape of a dataset; InputError naming file and dataset when it is missing.
  std::vector<std::size_t> shape(const std::string& dataset) const;
  /// The whole dataset on every rank.
  std::vector<double> read_array(const std::string& dataset) const;
  /// One level of a (t, nz, ny, nx) series (level -1: the last, negative counts from the end) or a
  /// (nz, ny, nx) dataset into a distributed field (shapes with only the grid's axes, as
  /// write_field; a dataset with one more axis is a series). InputError naming file and dataset
  /// when its shape does not match the grid or the level does not exist.
  void read_field(const std::string& dataset, GridField& field, long level = -1) const;
  /// Rows [first_row, first_row + local_rows) of an (N, width) dataset, or of level `level` of a
  /// (t, N, width) series, row-major. InputError when the rows or the level do not exist.
  std::vector<double> read_rows(const std::string& dataset, std::size_t first_row,
                                std::size_t local_rows, long level = -1) const;
  /// One-value attributes; InputError naming file, object and attribute when it is missing, has
  /// another kind, or does not fit the result (a negative value as uint, 2^63 or more as int).
  double read_double_attribute(const std::string& object, const std::string& name) const;
  std::int64_t read_int_attribute(const std::string& object, const std::string& name) const;
  std::uint64_t read_uint_attribute(const std::string& object, const std::string& name) const;
  std::string read_string_attribute(const std::string& object, const std::string& name) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Collective. A restart continues the run stored in the file named by `restart_key`: InputError
/// "<restart_key> = '<file>': ..." naming the first key whose value differs from the file's stored
/// configuration (root attribute config), unless it is in `allowed` (see
/// Config::first_difference), and saying which keys may change.
void require_same_problem(MPI_Comm comm, const Config& config, const std::string& restart_key,
                          const std::vector<std::string>& allowed);

/// Collective on `comm`: a reader of whole datasets (every rank gets the values, row-major, and
/// the shape), for the landscapes whose points come from a file (models/landscape_options.hpp:
/// models/ cannot open HDF5 itself). InputError naming the file and the dataset when either is
/// missing.
std::function<std::vector<double>(const std::string& path, const std::string& dataset,
                                  std::vector<std::size_t>& shape)>
whole_dataset_reader(MPI_Comm comm);

} // namespace relax
