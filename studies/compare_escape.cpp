#include "studies/compare_escape.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace relax {

namespace {

constexpr double pi = 3.14159265358979323846;

/// Solves the dim x dim system m y = r by Gaussian elimination with partial pivoting; false when
/// m is singular to working precision.
bool solve_dense(std::vector<double> m, std::vector<double>& r, int dim) {
  const auto n = static_cast<std::size_t>(dim);
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t pivot = c;
    for (std::size_t i = c + 1; i < n; ++i) {
      if (std::abs(m[i * n + c]) > std::abs(m[pivot * n + c])) {
        pivot = i;
      }
    }
    if (!(std::abs(m[pivot * n + c]) > 0)) {
      return false;
    }
    for (std::size_t j = 0; j < n; ++j) {
      std::swap(m[c * n + j], m[pivot * n + j]);
    }
    std::swap(r[c], r[pivot]);
    for (std::size_t i = c + 1; i < n; ++i) {
      const double factor = m[i * n + c] / m[c * n + c];
      for (std::size_t j = c; j < n; ++j) {
        m[i * n + j] -= factor * m[c * n + j];
      }
      r[i] -= factor * r[c];
    }
  }
  for (std::size_t c = n; c-- > 0;) {
    for (std::size_t j = c + 1; j < n; ++j) {
      r[c] -= m[c * n + j] * r[j];
    }
    r[c] /= m[c * n + c];
  }
  return true;
}

double max_abs(const std::vector<double>& values) {
  double m = 0;
  for (double v : values) {
    m = std::max(m, std::abs(v));
  }
  return m;
}

bool is_inside(const std::vector<double>& x, const std::vector<Axis>& box) {
  for (std::size_t k = 0; k < x.size(); ++k) {
    if (!(x[k] >= box[k].lo && x[k] <= box[k].hi)) {
      return false;
    }
  }
  return true;
}

/// Number of negative eigenvalues of a Hessian, or -1 when one is zero to working precision.
int negative_directions(const std::vector<double>& hessian, int dim) {
  const std::vector<double> mu = symmetric_eigenvalues(hessian, dim);
  const double scale = std::max(max_abs(mu), std::numeric_limits<double>::min());
  int negative = 0;
  for (double m : mu) {
    if (std::abs(m) <= 1e-12 * scale) {
      return -1;
    }
    negative += m < 0 ? 1 : 0;
  }
  return negative;
}

/// The profile p[i] = min over the other coordinates of f at the cell centres with x0 in cell i,
/// and for each i the centre that realizes it.
struct Profile {
  std::vector<double> value;
  std::vector<std::vector<double>> argmin;
};

Profile profile_along_x0(const Landscape& f, const std::vector<Axis>& box) {
  const std::size_t dim = box.size();
  std::array<int, 3> n{1, 1, 1};
  for (std::size_t k = 0; k < dim; ++k) {
    n[k] = box[k].n;
  }
  Profile profile;
  profile.value.assign(static_cast<std::size_t>(n[0]), std::numeric_limits<double>::infinity());
  profile.argmin.assign(static_cast<std::size_t>(n[0]), std::vector<double>(dim));
  std::vector<double> x(dim);
  for (int k = 0; k < n[2]; ++k) {
    for (int j = 0; j < n[1]; ++j) {
      for (int i = 0; i < n[0]; ++i) {
        const std::array<int, 3> index{i, j, k};
        for (std::size_t a = 0; a < dim; ++a) {
          x[a] = box[a].centre(index[a]);
        }
        const double value = f.value(x.data());
        const auto slot = static_cast<std::size_t>(i);
        if (value < profile.value[slot]) {
          profile.value[slot] = value;
          profile.argmin[slot] = x;
        }
      }
    }
  }
  return profile;
}

} // namespace

std::vector<double> symmetric_eigenvalues(std::vector<double> a, int dim) {
  const auto n = static_cast<std::size_t>(dim);
  if (a.size() != n * n) {
    throw Error("symmetric_eigenvalues: " + std::to_string(a.size()) + " entries for a " +
                std::to_string(dim) + " x " + std::to_string(dim) + " matrix");
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      a[i * n + j] = a[j * n + i];
    }
  }
  // Cyclic Jacobi: each rotation zeroes one off-diagonal pair; the off-diagonal mass falls
  // quadratically once small, so a few sweeps reach round-off.
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0;
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        (i == j ? total : off) += a[i * n + j] * a[i * n + j];
      }
    }
    if (off <= 1e-32 * (off + total)) {
      break;
    }
    for (std::size_t p = 0; p < n; ++p) {
      for (std::size_t q = p + 1; q < n; ++q) {
        const double apq = a[p * n + q];
        if (apq == 0) {
          continue;
        }
        const double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::hypot(1.0, theta));
        const double c = 1 / std::hypot(1.0, t);
        const double s = t * c;
        for (std::size_t k = 0; k < n; ++k) { // columns p, q
          const double akp = a[k * n + p];
          const double akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (std::size_t k = 0; k < n; ++k) { // rows p, q
          const double apk = a[p * n + k];
          const double aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  std::vector<double> mu(n);
  for (std::size_t i = 0; i < n; ++i) {
    mu[i] = a[i * n + i];
  }
  std::sort(mu.begin(), mu.end());
  return mu;
}

double kramers_rate(const std::vector<double>& hessian_minimum,
                    const std::vector<double>& hessian_saddle, int dim, double barrier,
                    double beta) {
  const std::vector<double> mu_a = symmetric_eigenvalues(hessian_minimum, dim);
  const std::vector<double> mu_s = symmetric_eigenvalues(hessian_saddle, dim);
  if (!(mu_a.front() > 0)) {
    throw Error("kramers_rate: the Hessian at the minimum is not positive definite");
  }
  if (!(mu_s[0] < 0) || (dim > 1 && !(mu_s[1] > 0))) {
    throw Error("kramers_rate: the Hessian at the saddle needs exactly one negative eigenvalue");
  }
  // sqrt(det H_a / |det H_s|) as a product of ratios, which neither overflows nor underflows.
  double ratio = 1;
  for (std::size_t k = 0; k < mu_a.size(); ++k) {
    ratio *= mu_a[k] / std::abs(mu_s[k]);
  }
  return std::abs(mu_s[0]) / (2 * pi) * std::sqrt(ratio) * std::exp(-beta * barrier);
}

std::vector<double> hessian(const Landscape& f, const std::vector<double>& x) {
  const auto n = x.size();
  std::vector<double> h(n * n);
  std::vector<double> plus(n);
  std::vector<double> minus(n);
  std::vector<double> y = x;
  for (std::size_t j = 0; j < n; ++j) {
    const double step = 1e-5 * std::max(1.0, std::abs(x[j]));
    y[j] = x[j] + step;
    f.gradient(y.data(), plus.data());
    y[j] = x[j] - step;
    f.gradient(y.data(), minus.data());
    y[j] = x[j];
    for (std::size_t i = 0; i < n; ++i) {
      h[i * n + j] = (plus[i] - minus[i]) / (2 * step);
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      h[i * n + j] = h[j * n + i] = 0.5 * (h[i * n + j] + h[j * n + i]);
    }
  }
  return h;
}

std::optional<CriticalPoint> refine_critical_point(const Landscape& f, std::vector<double> start,
                                                   const std::vector<Axis>& box) {
  const int dim = f.dim();
  std::vector<double> x = std::move(start);
  std::vector<double> step(x.size());
  for (int iteration = 0; iteration < 50; ++iteration) {
    f.gradient(x.data(), step.data());
    if (!solve_dense(hessian(f, x), step, dim)) {
      return std::nullopt;
    }
    for (std::size_t k = 0; k < x.size(); ++k) {
      x[k] -= step[k];
    }
    if (!is_inside(x, box)) {
      return std::nullopt;
    }
    // Newton converges quadratically: once a step is at round-off, x is the critical point to
    // working precision.
    if (max_abs(step) <= 1e-13 * std::max(1.0, max_abs(x))) {
      return CriticalPoint{x, f.value(x.data()), hessian(f, x)};
    }
  }
  return std::nullopt;
}

std::optional<ProfileWells> find_profile_wells(const std::vector<double>& p, std::size_t start) {
  const std::size_t n = p.size();
  if (n < 3 || start >= n) {
    return std::nullopt;
  }
  // Interior local minima; a plateau is one minimum, at its first index.
  std::vector<std::size_t> minima;
  for (std::size_t i = 1; i + 1 < n; ++i) {
    if (!(p[i - 1] > p[i])) {
      continue;
    }
    std::size_t j = i;
    while (j + 1 < n && p[j + 1] == p[i]) {
      ++j;
    }
    if (j + 1 < n && p[j + 1] > p[i]) {
      minima.push_back(i);
    }
  }
  // Steepest descent along the profile from the start, to the first index of a plateau.
  std::size_t a = start;
  for (;;) {
    if (a > 0 && p[a - 1] < p[a] && (a + 1 == n || p[a - 1] <= p[a + 1])) {
      --a;
    } else if (a + 1 < n && p[a + 1] < p[a]) {
      ++a;
    } else {
      break;
    }
  }
  while (a > 0 && p[a - 1] == p[a]) {
    --a;
  }
  if (std::find(minima.begin(), minima.end(), a) == minima.end()) {
    return std::nullopt; // the start drains to the edge of the box, not into a well
  }
  std::optional<std::size_t> b;
  for (std::size_t m : minima) {
    if (m != a && (!b || p[m] < p[*b])) {
      b = m;
    }
  }
  if (!b) {
    return std::nullopt;
  }
  const std::size_t lo = std::min(a, *b);
  const std::size_t hi = std::max(a, *b);
  std::size_t s = lo + 1;
  for (std::size_t i = lo + 1; i < hi; ++i) {
    if (p[i] > p[s]) {
      s = i;
    }
  }
  return ProfileWells{a, s, *b};
}

std::optional<TwoWells> find_two_wells(const Landscape& f, const std::vector<Axis>& box,
                                       const std::vector<double>& start) {
  const int dim = f.dim();
  if (static_cast<int>(box.size()) != dim || static_cast<int>(start.size()) != dim ||
      !is_inside(start, box)) {
    return std::nullopt;
  }
  const Profile profile = profile_along_x0(f, box);
  const Axis& axis = box[0];
  const auto start_cell = static_cast<std::size_t>(
      std::clamp(static_cast<int>(std::floor((start[0] - axis.lo) / axis.h())), 0, axis.n - 1));
  const std::optional<ProfileWells> wells = find_profile_wells(profile.value, start_cell);
  if (!wells) {
    return std::nullopt;
  }
  const auto refine = [&](std::size_t cell, int expected_negative) -> std::optional<CriticalPoint> {
    std::optional<CriticalPoint> point = refine_critical_point(f, profile.argmin[cell], box);
    if (!point || negative_directions(point->hessian, dim) != expected_negative) {
      return std::nullopt;
    }
    return point;
  };
  auto a = refine(wells->start_well, 0);
  auto s = refine(wells->saddle, 1);
  auto b = refine(wells->target_well, 0);
  if (!a || !s || !b) {
    return std::nullopt;
  }
  // Newton found the critical points next to the profile's cells; they must keep their order
  // along x0, or the profile did not describe a minimum-saddle-minimum path.
  const double lo = std::min(a->x[0], b->x[0]);
  const double hi = std::max(a->x[0], b->x[0]);
  if (!(s->x[0] > lo && s->x[0] < hi)) {
    return std::nullopt;
  }
  return TwoWells{std::move(*a), std::move(*s), std::move(*b)};
}

} // namespace relax
