#include "io/output_lock.hpp"

#include "core/error.hpp"
#include "core/mpi.hpp"
#include "io/hdf5.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace relax {

namespace {

const std::string part_suffix = ".part";

std::string lock_path(const std::string& output) {
  std::string stem = output;
  while (stem.size() > part_suffix.size() &&
         stem.compare(stem.size() - part_suffix.size(), part_suffix.size(), part_suffix) == 0) {
    stem.resize(stem.size() - part_suffix.size());
  }
  return stem + ".lock";
}

std::string parent_directory(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    return ".";
  }
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool same_file(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/// Empty when `candidate` (the output or its temporary) is not `input`; else the reason.
std::string clash(const std::string& output, const std::string& candidate, const RunInput& input) {
  const std::string expected = "; expected an output.file that is none of the run's inputs";
  struct stat in {};
  struct stat out {};
  const bool input_exists = ::stat(input.path.c_str(), &in) == 0;
  if (input.is_directory) {
    struct stat directory {};
    if (input_exists && ::stat(parent_directory(candidate).c_str(), &directory) == 0 &&
        same_file(in, directory)) {
      return "output file '" + output + "': lies in the input directory " + input.key + " = '" +
             input.path + "'" + expected;
    }
    return {};
  }
  const bool output_exists = ::stat(candidate.c_str(), &out) == 0;
  if (input.may_be_output && candidate == output) {
    return {}; // a restart continued in place
  }
  const bool is_same = input_exists && output_exists ? same_file(in, out) : candidate == input.path;
  if (!is_same) {
    return {};
  }
  return "output file '" + output + "'" +
         (candidate == output ? "" : " (its temporary '" + candidate + "')") + " is the input " +
         input.key + " = '" + input.path + "', which the run would overwrite" + expected;
}

/// "pid 123 on host h", read from a lock file (empty when it holds nothing readable).
std::string owner_of(int fd) {
  char text[256] = {};
  const ssize_t length = ::pread(fd, text, sizeof text - 1, 0);
  std::string owner = length > 0 ? std::string(text, static_cast<std::size_t>(length)) : "";
  while (!owner.empty() && (owner.back() == '\n' || owner.back() == '\r')) {
    owner.pop_back();
  }
  return owner;
}

/// Rank 0: takes the flock on `path`, returning the descriptor in `fd`; empty or the reason.
std::string take_lock(const std::string& output, const std::string& path, int& fd) {
  const std::string what = "output file '" + output + "': ";
  for (int attempt = 0; attempt < 100; ++attempt) {
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
      return what + "cannot create the lock file '" + path + "' (" + std::strerror(errno) +
             "); expected a writable file path in an existing directory";
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      const std::string owner = owner_of(fd);
      ::close(fd);
      fd = -1;
      if (error == EWOULDBLOCK) {
        return what + "is being written by another run (" +
               (owner.empty() ? std::string("owner unknown") : owner) + ", lock '" + path +
               "'); expected an output no live run is writing";
      }
      return what + "cannot lock '" + path + "' (" + std::strerror(error) + ")";
    }
    // The previous holder may have removed the file between our open and flock: then we hold
    // a lock on a file nobody else can find. Only a lock on the file at `path` counts.
    struct stat held {};
    struct stat named {};
    if (::fstat(fd, &held) == 0 && ::stat(path.c_str(), &named) == 0 && same_file(held, named)) {
      char host[256] = {};
      ::gethostname(host, sizeof host - 1);
      const std::string owner =
          "pid " + std::to_string(::getpid()) + " on host " + std::string(host) + "\n";
      if (::ftruncate(fd, 0) != 0 ||
          ::pwrite(fd, owner.data(), owner.size(), 0) != static_cast<ssize_t>(owner.size())) {
        // The lock holds without the note; only the message of a competing run is poorer.
      }
      return {};
    }
    ::close(fd);
    fd = -1;
  }
  return what + "cannot take the lock '" + path + "': it keeps being replaced";
}

} // namespace

bool is_same_file(MPI_Comm comm, const std::string& a, const std::string& b) {
  return !hdf5::message_from_root(comm, [&]() -> std::string {
            struct stat x {};
            struct stat y {};
            return ::stat(a.c_str(), &x) == 0 && ::stat(b.c_str(), &y) == 0 && same_file(x, y)
                       ? "same"
                       : "";
          }).empty();
}

void require_output_not_input(MPI_Comm comm, const std::string& output,
                              const std::vector<RunInput>& inputs) {
  const std::string problem = hdf5::message_from_root(comm, [&]() -> std::string {
    for (const RunInput& input : inputs) {
      if (input.path.empty()) {
        continue;
      }
      for (const std::string& candidate : {output, output + part_suffix}) {
        std::string reason = clash(output, candidate, input);
        if (!reason.empty()) {
          return reason;
        }
      }
    }
    return {};
  });
  if (!problem.empty()) {
    throw InputError(problem);
  }
}

OutputLock::OutputLock(MPI_Comm comm, const std::string& output) : path_(lock_path(output)) {
  const bool is_root = comm_rank(comm) == 0;
  int fd = -1;
  const std::string problem = hdf5::message_from_root(
      comm, [&] { return output.empty() ? std::string() : take_lock(output, path_, fd); });
  if (!problem.empty()) {
    throw InputError(problem);
  }
  fd_ = is_root ? fd : -1;
}

OutputLock::~OutputLock() {
  if (fd_ >= 0) {
    ::unlink(path_.c_str()); // while still held: a waiting run then finds no stale file
    ::close(fd_);
  }
}

} // namespace relax
