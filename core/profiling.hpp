// relax's phases in PETSc's profiling (-log_view): each phase is a log stage and an event of the
// same name, so "Summary of Stages" shows where a run's time goes (PDE steps, particle steps,
// histograms, comparisons, HDF5 output) and each stage's table shows PETSc's own work inside it.
// A PhaseScope pushes the phase's stage and begins its event; its destructor ends and pops them.
// Scopes nest (a histogram inside a comparison): PETSc charges the time to the innermost stage.
#pragma once

#include <petscsys.h>

namespace relax {

enum class Phase { fp_stepping, particle_stepping, histograms, comparison, hdf5_output };

/// The stage and event name: "FP stepping", "Particle stepping", "Histograms", "Comparison",
/// "HDF5 output".
const char* phase_name(Phase phase);

class PhaseScope {
public:
  /// Not collective (PETSc's logging is per rank). Registers the stage and the event on first use.
  explicit PhaseScope(Phase phase);
  ~PhaseScope();
  PhaseScope(const PhaseScope&) = delete;
  PhaseScope& operator=(const PhaseScope&) = delete;

private:
  PetscLogStage stage_ = -1;
  PetscLogEvent event_ = -1;
};

} // namespace relax
