// How relax data map onto HDF5 datasets. A grid field is a dataset of the grid's cells per axis,
// slowest axis first ((nz, ny, nx) in 3D, (ny, nx) in 2D, (nx) in 1D): the memory order of
// Grid::for_each_owned (x fastest), so each rank transfers its owned CellBox as one hyperslab
// straight from the Vec's array. A time series prepends an extendible time axis.
#pragma once

#include "grids/grid.hpp"
#include "io/hdf5.hpp"

#include <string>
#include <vector>

namespace relax::hdf5 {

/// Dataset shape of a field on `grid`.
std::vector<hsize_t> field_dims(const Grid& grid);
/// The cells this rank owns, in dataset coordinates.
Block owned_block(const Grid& grid);
/// Rows [first_row, first_row + rows) of an (N, width) dataset.
Block row_block(std::size_t first_row, std::size_t rows, std::size_t width);
/// The whole of a dataset of shape `dims` on rank 0, nothing elsewhere: replicated data is written
/// once, while every rank still makes the collective call.
Block root_block(const std::vector<hsize_t>& dims, int rank);
/// `block` within time level `level` of a series (an empty block stays empty).
Block at_level(hsize_t level, const Block& block);

/// "(3, 5, 7)"
std::string shape_text(const std::vector<hsize_t>& dims);

} // namespace relax::hdf5
