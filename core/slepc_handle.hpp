// Move-only owner of a SLEPc eigensolver (EPS), in the manner of core/petsc_handle.hpp: the
// destructor calls EPSDestroy, so the solver is released even when an exception unwinds. SLEPc
// registers its classes on first use (EPSCreate), so the PETSc Session is all it needs; every
// handle must die before that Session.
#pragma once

#include "core/petsc_handle.hpp"

#include <slepceps.h>

namespace relax::slepc {

using EPS = petsc::Handle<::EPS, EPSDestroy>;

} // namespace relax::slepc
