// Exclusive use of an output file for the length of a run. Two runs writing one output (or one
// run's temporary "<path>.part" as another's output) would truncate each other's data and rename
// a mixture into place, so a run takes the lock "<stem>.lock" (stem: the output path without its
// trailing ".part"s) with flock before any work, and holds it to its end. The kernel drops the
// lock of a killed process, so a stale lock file (it names the pid and host that held it) never
// blocks a new run. Also here: the check that an output is none of the run's inputs.
#pragma once

#include <mpi.h>

#include <string>
#include <vector>

namespace relax {

/// An input file or directory of a run, named by the key (or switch) that gave it.
struct RunInput {
  std::string key;            ///< "initial.file", "--config", ...
  std::string path;           ///< as given
  bool is_directory = false;  ///< the output may not lie inside it either (a data directory)
  bool may_be_output = false; ///< a restart file, which a run may continue in place
};

/// Collective: whether `a` and `b` name one existing file (device and inode).
bool is_same_file(MPI_Comm comm, const std::string& a, const std::string& b);

/// Collective. InputError when `output` (or its temporary "<output>.part") is the same file as one
/// of `inputs` (by device and inode when both exist, else by path), or lies in an input directory;
/// an input that may_be_output may be the output itself (not its temporary).
void require_output_not_input(MPI_Comm comm, const std::string& output,
                              const std::vector<RunInput>& inputs);

class OutputLock {
public:
  /// Collective; rank 0 takes the lock. InputError naming the output, the lock file and the pid
  /// and host of the run that holds it, or the reason the lock file cannot be created.
  OutputLock(MPI_Comm comm, const std::string& output);
  /// Rank 0 removes the lock file and releases the lock.
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

  /// "<stem>.lock".
  const std::string& path() const { return path_; }

private:
  std::string path_;
  int fd_ = -1; ///< rank 0's descriptor holding the flock; -1 elsewhere
};

} // namespace relax
