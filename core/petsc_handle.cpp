#include "core/petsc_handle.hpp"

#include "core/error.hpp"

namespace relax::petsc {

VecArray::VecArray(::Vec v) : vec_(v) {
  PetscInt n = 0;
  RELAX_PETSC(VecGetLocalSize(v, &n));
  RELAX_PETSC(VecGetArray(v, &data_));
  size_ = static_cast<std::size_t>(n);
}

VecArray::~VecArray() {
  VecRestoreArray(vec_, &data_);
}

ConstVecArray::ConstVecArray(::Vec v) : vec_(v) {
  PetscInt n = 0;
  RELAX_PETSC(VecGetLocalSize(v, &n));
  RELAX_PETSC(VecGetArrayRead(v, &data_));
  size_ = static_cast<std::size_t>(n);
}

ConstVecArray::~ConstVecArray() {
  VecRestoreArrayRead(vec_, &data_);
}

} // namespace relax::petsc
