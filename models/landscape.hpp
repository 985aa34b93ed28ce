// A potential f : R^d -> R with its gradient: the landscape that both the PDE solvers and the
// particles see. Pure math: no PETSc, MPI or HDF5. Samplers evaluate whole blocks of particles at
// once (structure-of-arrays) so they pay one virtual call per block, not per particle.
#pragma once

#include <cstddef>
#include <string>

namespace relax {

class Landscape {
public:
  virtual ~Landscape() = default;

  virtual int dim() const = 0;
  /// A short description with parameters, e.g. "double_well(tilt=0.2)".
  virtual std::string describe() const = 0;

  /// f(x) for x[0..dim).
  virtual double value(const double* x) const = 0;
  /// Writes grad f(x) into g[0..dim) and returns f(x).
  virtual double gradient(const double* x, double* g) const = 0;

  /// Block evaluation in structure-of-arrays layout: coordinate d of point p is x[d*stride + p],
  /// gradient component d goes to g[d*stride + p]. Either output may be null. The default loops
  /// over gradient(); built-ins override it with vectorizable loops.
  virtual void evaluate_batch(std::size_t n, std::size_t stride, const double* x, double* f,
                              double* g) const;
};

} // namespace relax
