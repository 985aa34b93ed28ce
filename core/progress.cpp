#include "core/progress.hpp"

#include "core/mpi.hpp"
#include "core/terminal.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>

namespace relax {

namespace {

std::string format_seconds(double s) {
  char buffer[32];
  if (!std::isfinite(s) || s < 0) {
    return "?";
  }
  if (s < 60) {
    std::snprintf(buffer, sizeof buffer, "%.0fs", s);
  } else if (s < 3600) {
    std::snprintf(buffer, sizeof buffer, "%.0fm%02.0fs", std::floor(s / 60), std::fmod(s, 60));
  } else {
    std::snprintf(buffer, sizeof buffer, "%.0fh%02.0fm", std::floor(s / 3600),
                  std::floor(std::fmod(s, 3600) / 60));
  }
  return buffer;
}

} // namespace

ProgressReporter::ProgressReporter(MPI_Comm comm, std::string label, double t_end,
                                   double plain_interval)
    : is_root_(comm_rank(comm) == 0), is_tty_(isatty(STDERR_FILENO) != 0), label_(std::move(label)),
      t_end_(t_end), plain_interval_(plain_interval), start_(std::chrono::steady_clock::now()),
      last_print_(start_), uncaught_at_start_(std::uncaught_exceptions()) {}

ProgressReporter::~ProgressReporter() {
  // While an error unwinds, the error line is what the user must see: only end a live bar.
  if (std::uncaught_exceptions() > uncaught_at_start_) {
    if (is_root_ && is_tty_ && !finished_) {
      terminal::clear_live_line(); // the error line takes the bar's place
    }
    return;
  }
  finish();
}

std::string ProgressReporter::line(long step, double t, const std::string& metric) const {
  const double fraction = t_end_ > 0 ? std::clamp(t / t_end_, 0.0, 1.0) : 1.0;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : -1;
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, "%s step %ld t=%.4g (%3.0f%%) elapsed %s ETA %s%s%s",
                label_.c_str(), step, t, 100 * fraction, format_seconds(elapsed).c_str(),
                format_seconds(eta).c_str(), metric.empty() ? "" : " ", metric.c_str());
  if (!is_tty_) {
    return buffer;
  }
  constexpr int width = 30;
  const int filled = static_cast<int>(fraction * width);
  return "[" + std::string(static_cast<std::size_t>(filled), '#') +
         std::string(static_cast<std::size_t>(width - filled), ' ') + "] " + buffer;
}

void ProgressReporter::update(long step, double t, const std::string& metric) {
  if (!is_root_) {
    return;
  }
  last_step_ = step;
  last_t_ = t;
  last_metric_ = metric;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_print_).count();
  if (is_tty_) {
    if (since < 0.1) {
      return;
    }
    std::fprintf(stderr, "\r%s\033[K", line(step, t, metric).c_str());
    terminal::mark_live_line();
  } else {
    if (since < plain_interval_) {
      return;
    }
    std::fprintf(stderr, "%s\n", line(step, t, metric).c_str());
  }
  std::fflush(stderr);
  last_print_ = now;
}

void ProgressReporter::finish() {
  if (finished_ || !is_root_) {
    finished_ = true;
    return;
  }
  finished_ = true;
  std::fprintf(stderr, is_tty_ ? "\r%s\033[K\n" : "%s\n",
               line(last_step_, last_t_, last_metric_).c_str());
  terminal::forget_live_line();
  std::fflush(stderr);
}

} // namespace relax
