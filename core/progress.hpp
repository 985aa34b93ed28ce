// Progress of a long run on rank 0's stderr: a live bar redrawn in place when stderr is a terminal,
// otherwise a plain line at most every `plain_interval` seconds (log files and batch jobs).
#pragma once

#include <mpi.h>

#include <chrono>
#include <string>

namespace relax {

class ProgressReporter {
public:
  /// `label` names the run ("fp", "sde"); progress is measured as t / t_end.
  ProgressReporter(MPI_Comm comm, std::string label, double t_end, double plain_interval = 10.0);
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  /// Reports step count, time and one key metric ("mass=1", "L1=3e-3"). Not collective.
  void update(long step, double t, const std::string& metric = "");
  /// Prints the final line (and ends the bar). Called by the destructor if not called before,
  /// unless an exception is unwinding (then the error message stays the last line).
  void finish();

private:
  std::string line(long step, double t, const std::string& metric) const;

  bool is_root_;
  bool is_tty_;
  bool finished_ = false;
  std::string label_;
  double t_end_;
  double plain_interval_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  long last_step_ = 0;
  double last_t_ = 0.0;
  std::string last_metric_;
  int uncaught_at_start_;
};

} // namespace relax
