// The XDMF sidecar (docs/output.md) that opens relax's grid-field time series in ParaView: plain
// text describing the HDF5 datasets, no HDF5 calls. Each series becomes a temporal collection of
// regular meshes whose cell data are one level each of the (t, [nz,] [ny,] nx) datasets, selected
// by the XDMF 3 "file:/dataset|start:stride:count:dims" form that ParaView's Xdmf3 readers read.
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

/// A time as the sidecar writes it: 12 significant digits, so that one output reached by two
/// methods (5.6 from the PDE's steps, 5.6000000000000005 from 2800 particle steps of 0.002) is one
/// time value in the viewer.
std::string xdmf_time(double t);

/// Series on the same axes whose times read the same (xdmf_time) become one collection with all
/// their fields, so a viewer sees one time axis, each output once. A field name that would appear
/// twice in one collection is replaced by its dataset path.
std::vector<XdmfSeries> merge_series_on_one_time_axis(const std::vector<XdmfSeries>& series);

/// The XDMF document for `series`, whose datasets live in `h5_file` (a path relative to the
/// document). Every grid is a 3DCoRectMesh (1D and 2D grids are one point thick in the unused
/// axes): ParaView's XDMF3 reader maps a 2DCoRectMesh onto the y–z plane, and XDMF has no 1D
/// regular mesh. Origin and spacing are listed z, y, x, as the readers expect.
std::string xdmf_document(const std::string& h5_file, const std::vector<XdmfSeries>& series);

} // namespace relax
