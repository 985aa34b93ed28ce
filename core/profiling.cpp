#include "core/profiling.hpp"

#include "core/error.hpp"

namespace relax {

const char* phase_name(Phase phase) {
  switch (phase) {
  case Phase::fp_stepping:
    return "FP stepping";
  case Phase::particle_stepping:
    return "Particle stepping";
  case Phase::histograms:
    return "Histograms";
  case Phase::comparison:
    return "Comparison";
  case Phase::hdf5_output:
    return "HDF5 output";
  }
  return "?";
}

PhaseScope::PhaseScope(Phase phase) {
  const char* name = phase_name(phase);
  // PETSc keeps the registry: look the name up, register it the first time.
  RELAX_PETSC(PetscLogStageGetId(name, &stage_));
  if (stage_ < 0) {
    RELAX_PETSC(PetscLogStageRegister(name, &stage_));
  }
  RELAX_PETSC(PetscLogEventGetId(name, &event_));
  if (event_ < 0) {
    RELAX_PETSC(PetscLogEventRegister(name, PETSC_OBJECT_CLASSID, &event_));
  }
  RELAX_PETSC(PetscLogStagePush(stage_));
  RELAX_PETSC(PetscLogEventBegin(event_, nullptr, nullptr, nullptr, nullptr));
}

PhaseScope::~PhaseScope() {
  PetscLogEventEnd(event_, nullptr, nullptr, nullptr, nullptr);
  PetscLogStagePop();
}

} // namespace relax
