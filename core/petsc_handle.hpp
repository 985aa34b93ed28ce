// Move-only owners of exactly one PETSc object each (Vec, Mat, DM, KSP, SNES, TS, IS, VecScatter).
// The destructor calls the matching XxxDestroy, so every PETSc object relax creates is released
// even when an exception unwinds the stack. All handles must die before the Session that created
// PETSc.
#pragma once

#include <petscdm.h>
#include <petscksp.h>
#include <petscsnes.h>
#include <petscts.h>
#include <petscvec.h>

#include <cstddef>
#include <utility>

namespace relax::petsc {

template <typename Raw, PetscErrorCode (*destroy)(Raw*)> class Handle {
public:
  Handle() = default;
  /// Takes ownership of `raw` (which may be null).
  explicit Handle(Raw raw) : raw_(raw) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : raw_(std::exchange(other.raw_, nullptr)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      raw_ = std::exchange(other.raw_, nullptr);
    }
    return *this;
  }
  ~Handle() { reset(); }

  Raw get() const { return raw_; }
  /// Lets a handle be passed straight to PETSc functions taking the raw object.
  operator Raw() const { return raw_; } // NOLINT(google-explicit-constructor)
  explicit operator bool() const { return raw_ != nullptr; }

  /// Releases the current object and returns the address for a PETSc creation call to fill:
  /// `RELAX_PETSC(VecCreate(comm, v.out()));`
  Raw* out() {
    reset();
    return &raw_;
  }

  /// Destroys the object now. Collective on the object's communicator.
  void reset() noexcept {
    if (raw_ != nullptr) {
      destroy(&raw_); // a destructor cannot report failure; PETSc logs it
      raw_ = nullptr;
    }
  }

private:
  Raw raw_ = nullptr;
};

using Vec = Handle<::Vec, VecDestroy>;
using Mat = Handle<::Mat, MatDestroy>;
using DM = Handle<::DM, DMDestroy>;
using KSP = Handle<::KSP, KSPDestroy>;
using SNES = Handle<::SNES, SNESDestroy>;
using TS = Handle<::TS, TSDestroy>;
using IS = Handle<::IS, ISDestroy>;
using VecScatter = Handle<::VecScatter, VecScatterDestroy>;

/// Takes a new reference to `raw` (PetscObjectReference) so the handle can own it alongside PETSc.
template <typename H> H share(decltype(std::declval<H>().get()) raw) {
  if (raw != nullptr) {
    PetscObjectReference(reinterpret_cast<PetscObject>(raw));
  }
  return H(raw);
}

/// Read-write access to the locally owned entries of a Vec (VecGetArray / VecRestoreArray).
class VecArray {
public:
  explicit VecArray(::Vec v);
  ~VecArray();
  VecArray(const VecArray&) = delete;
  VecArray& operator=(const VecArray&) = delete;

  double* data() { return data_; }
  std::size_t size() const { return size_; }
  double& operator[](std::size_t i) { return data_[i]; }
  double* begin() { return data_; }
  double* end() { return data_ + size_; }

private:
  ::Vec vec_;
  double* data_ = nullptr;
  std::size_t size_ = 0;
};

/// Read-only access to the locally owned entries of a Vec (VecGetArrayRead / VecRestoreArrayRead).
class ConstVecArray {
public:
  explicit ConstVecArray(::Vec v);
  ~ConstVecArray();
  ConstVecArray(const ConstVecArray&) = delete;
  ConstVecArray& operator=(const ConstVecArray&) = delete;

  const double* data() const { return data_; }
  std::size_t size() const { return size_; }
  double operator[](std::size_t i) const { return data_[i]; }
  const double* begin() const { return data_; }
  const double* end() const { return data_ + size_; }

private:
  ::Vec vec_;
  const double* data_ = nullptr;
  std::size_t size_ = 0;
};

} // namespace relax::petsc
