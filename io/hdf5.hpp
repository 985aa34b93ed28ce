// HDF5 glue shared by OutputFile and InputFile (io/ only; solvers never see HDF5 ids): move-only
// owners of HDF5 identifiers, each closed by its own H5xclose, and RELAX_HDF5, which turns a failed
// call into relax::Error carrying HDF5's error stack as one line. Also the few dataspace and
// property-list helpers both files need.
#pragma once

#include <hdf5.h>
#include <mpi.h>

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace relax::hdf5 {

template <herr_t (*close)(hid_t)> class Handle {
public:
  Handle() = default;
  /// Takes ownership of `id` (negative: no object). Use with RELAX_HDF5, which throws before a
  /// failed call's result could be owned: `hdf5::Group g(RELAX_HDF5(H5Gopen2(file, "/a", ...)));`
  explicit Handle(hid_t id) : id_(id) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, invalid)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, invalid);
    }
    return *this;
  }
  ~Handle() { reset(); }

  hid_t get() const { return id_; }
  /// Lets a handle be passed straight to HDF5 functions.
  operator hid_t() const { return id_; } // NOLINT(google-explicit-constructor)
  explicit operator bool() const { return id_ >= 0; }

  /// Gives up ownership (to close explicitly and check the result).
  hid_t release() { return std::exchange(id_, invalid); }

  /// Closes the object now; a destructor cannot report failure. Collective for files opened with
  /// MPI-IO and for objects whose closing changes file metadata.
  void reset() noexcept {
    if (id_ >= 0) {
      close(id_);
      id_ = invalid;
    }
  }

private:
  static constexpr hid_t invalid = -1;
  hid_t id_ = invalid;
};

using File = Handle<H5Fclose>;
using Group = Handle<H5Gclose>;
using Dataset = Handle<H5Dclose>;
using Dataspace = Handle<H5Sclose>;
using Datatype = Handle<H5Tclose>;
using PropertyList = Handle<H5Pclose>;
using Attribute = Handle<H5Aclose>;
using Object = Handle<H5Oclose>; ///< a group or dataset opened with H5Oopen

/// Turns off HDF5's automatic printing of its error stack on this thread: failures are reported
/// through exceptions instead. Idempotent; called by every file constructor.
void silence_error_printing();

/// The current HDF5 error stack as one line, outermost call first ("H5Fopen(): unable to open
/// file: ... <- H5FD_sec2_open(): ... No such file or directory"). Clears the stack.
std::string error_stack_message();

/// Throws Error("HDF5 error: <stack> (in <expression>)") when `value` is negative (the failure
/// value of hid_t, herr_t and htri_t); otherwise returns it. Use through RELAX_HDF5.
[[noreturn]] void throw_error(const char* expression);
template <typename T> T check(T value, const char* expression) {
  if (value < 0) {
    throw_error(expression);
  }
  return value;
}

/// "a/b" and "/a/b/" -> "/a/b"; "" -> "/".
std::string absolute_path(const std::string& path);
/// The group of an absolute path: "/fp/density" -> "/fp", "/x" -> "/".
std::string parent_path(const std::string& path);

/// True when every link along the absolute `path` exists (H5Lexists needs the parents to exist).
bool exists(hid_t location, const std::string& path);

/// File access through MPI-IO on `comm` (collective open, create and close).
PropertyList mpio_file_access(MPI_Comm comm);
/// Dataset transfer with collective MPI-IO: every rank of the file's communicator takes part.
PropertyList collective_transfer();

/// Variable-length UTF-8 string type (no size limit for attributes, read back as str by h5py).
Datatype string_type();

/// A simple dataspace of `dims` (empty: scalar), with optional maximum dims.
Dataspace simple_space(const std::vector<hsize_t>& dims, const std::vector<hsize_t>& max_dims = {});
/// Current dims of a dataset.
std::vector<hsize_t> dataset_dims(hid_t dataset);

/// A rectangular block of a dataspace. An empty block (any count 0) selects nothing, which is how
/// a rank takes part in a collective transfer without data.
struct Block {
  std::vector<hsize_t> start;
  std::vector<hsize_t> count;
  std::size_t size() const; ///< number of elements
};
/// Selects `block` in the dataspace of `dataset`.
Dataspace file_selection(hid_t dataset, const Block& block);
/// A one-dimensional memory dataspace of `count` elements (nothing selected when 0).
Dataspace memory_space(std::size_t count);

/// Collective: runs `check` on rank 0 of `comm` and returns its message on every rank (empty:
/// fine). File-system verdicts (can this path be created, read, renamed) are taken this way, so
/// every rank throws the same exception at the same point.
std::string message_from_root(MPI_Comm comm, const std::function<std::string()>& check);

/// Chunk shape for an extendible series whose time levels have shape `level_shape` (doubles): one
/// level per chunk along time for large levels, several levels of small ones; a level larger than
/// `max_bytes` is split along its slowest axes. Returns {t_chunk, level chunk...}.
std::vector<hsize_t> series_chunk(const std::vector<hsize_t>& level_shape,
                                  std::size_t max_bytes = std::size_t{1} << 20);

} // namespace relax::hdf5

#define RELAX_HDF5(expr) ::relax::hdf5::check((expr), #expr)
