// The XDMF sidecar (docs/output.md) that opens relax's grid-field time series in ParaView and
// VisIt: plain text describing the HDF5 datasets, no HDF5 calls. Each series becomes a temporal
// collection of regular meshes whose cell data are HyperSlabs of the (t, [nz,] [ny,] nx) datasets.
#pragma once

#include "grids/grid.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace relax {

/// One time-series dataset of cell values.
struct XdmfField {
  std::string name;    ///< attribute name shown by the viewer
  std::string dataset; ///< absolute HDF5 path, shape (levels, cells per axis reversed)
  std::size_t levels = 0;
};

/// Fields on one grid sharing one time axis.
struct XdmfSeries {
  std::string name;
  std::vector<Axis> axes;
  std::vector<double> times; ///< one per level; level t holds every field with more than t levels
  std::vector<XdmfField> fields;
};

/// The XDMF document for `series`, whose datasets live in `h5_file` (a path relative to the
/// document). Every grid is a 3DCoRectMesh (1D and 2D grids are one point thick in the unused
/// axes): ParaView's XDMF3 reader maps a 2DCoRectMesh onto the y–z plane, and XDMF has no 1D
/// regular mesh. Origin and spacing are listed z, y, x, as the readers expect.
std::string xdmf_document(const std::string& h5_file, const std::vector<XdmfSeries>& series);

} // namespace relax
