#include "core/error.hpp"
#include "core/petsc_handle.hpp"
#include "core/session.hpp"

#include <catch2/catch.hpp>

TEST_CASE("A failing PETSc call throws PetscError with PETSc's own message", "[core]") {
  relax::petsc::TS ts;
  RELAX_PETSC(TSCreate(PETSC_COMM_SELF, ts.out()));
  try {
    RELAX_PETSC(TSSetType(ts, "no_such_integrator"));
    FAIL("TSSetType accepted an unknown type");
  } catch (const relax::PetscError& e) {
    CAPTURE(e.what());
    CHECK(e.is_input_error());
    CHECK(std::string(e.what()).find("no_such_integrator") != std::string::npos);
    CHECK(std::string(e.what()).find('\n') == std::string::npos);
  }
}

TEST_CASE("Handles are move-only owners that release their object", "[core]") {
  relax::petsc::Vec a;
  RELAX_PETSC(VecCreateSeq(PETSC_COMM_SELF, 4, a.out()));
  relax::petsc::Vec b = std::move(a);
  CHECK_FALSE(a);
  CHECK(b);
  PetscInt size = 0;
  RELAX_PETSC(VecGetSize(b, &size));
  CHECK(size == 4);
  b.reset();
  CHECK_FALSE(b);
}
