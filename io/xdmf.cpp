#include "io/xdmf.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace relax {

namespace {

std::string escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

/// The shortest of 15, 16 or 17 significant digits that reads back as `x` (0.1, not
/// 0.10000000000000001).
std::string number(double x) {
  std::array<char, 32> buffer{};
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(buffer.data(), buffer.size(), "%.*g", digits, x);
    if (std::strtod(buffer.data(), nullptr) == x) {
      break;
    }
  }
  return buffer.data();
}

template <typename T> std::string joined(const std::vector<T>& values) {
  std::ostringstream out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    out << (i == 0 ? "" : " ") << values[i];
  }
  return out.str();
}

std::string joined(const std::vector<double>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    out += (i == 0 ? "" : " ") + number(values[i]);
  }
  return out;
}

/// Mesh description in z, y, x order; axes the grid lacks are one point thick.
struct Mesh {
  std::vector<std::size_t> points{1, 1, 1};
  std::vector<double> origin{0, 0, 0};
  std::vector<double> spacing{1, 1, 1};
  std::vector<std::size_t> cells; ///< the dataset's level shape: the grid's axes, slowest first
};

Mesh mesh_of(const std::vector<Axis>& axes) {
  Mesh mesh;
  for (std::size_t a = 0; a < axes.size(); ++a) {
    const std::size_t zyx = 2 - a;
    mesh.points[zyx] = static_cast<std::size_t>(axes[a].n) + 1;
    mesh.origin[zyx] = axes[a].lo;
    mesh.spacing[zyx] = axes[a].h();
  }
  for (auto a = axes.size(); a-- > 0;) {
    mesh.cells.push_back(static_cast<std::size_t>(axes[a].n));
  }
  return mesh;
}

void write_attribute(std::ostream& out, const std::string& h5_file, const Mesh& mesh,
                     const XdmfField& field, std::size_t level) {
  const std::size_t rank = mesh.cells.size() + 1;
  std::vector<std::size_t> start(rank, 0);
  std::vector<std::size_t> stride(rank, 1);
  std::vector<std::size_t> count{1};
  count.insert(count.end(), mesh.cells.begin(), mesh.cells.end());
  std::vector<std::size_t> source{field.levels};
  source.insert(source.end(), mesh.cells.begin(), mesh.cells.end());
  start[0] = level;
  out << "        <Attribute Name=\"" << escaped(field.name)
      << "\" AttributeType=\"Scalar\" Center=\"Cell\">\n"
      << "          <DataItem ItemType=\"HyperSlab\" Dimensions=\"" << joined(count)
      << "\" Type=\"HyperSlab\">\n"
      << "            <DataItem Format=\"XML\" NumberType=\"UInt\" Dimensions=\"3 " << rank << "\">"
      << joined(start) << ' ' << joined(stride) << ' ' << joined(count) << "</DataItem>\n"
      << "            <DataItem Format=\"HDF\" NumberType=\"Float\" Precision=\"8\" Dimensions=\""
      << joined(source) << "\">" << escaped(h5_file) << ':' << escaped(field.dataset)
      << "</DataItem>\n"
      << "          </DataItem>\n"
      << "        </Attribute>\n";
}

} // namespace

std::string xdmf_document(const std::string& h5_file, const std::vector<XdmfSeries>& series) {
  std::ostringstream out;
  out << "<?xml version=\"1.0\" ?>\n"
      << "<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n"
      << "<Xdmf Version=\"3.0\">\n"
      << "  <Domain>\n";
  for (const XdmfSeries& s : series) {
    const Mesh mesh = mesh_of(s.axes);
    out << "    <Grid Name=\"" << escaped(s.name)
        << "\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
    for (std::size_t level = 0; level < s.times.size(); ++level) {
      out << "      <Grid Name=\"" << escaped(s.name) << "\" GridType=\"Uniform\">\n"
          << "        <Time Value=\"" << number(s.times[level]) << "\"/>\n"
          << "        <Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"" << joined(mesh.points)
          << "\"/>\n"
          << "        <Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n"
          << "          <DataItem Format=\"XML\" NumberType=\"Float\" Precision=\"8\" "
             "Dimensions=\"3\">"
          << joined(mesh.origin) << "</DataItem>\n"
          << "          <DataItem Format=\"XML\" NumberType=\"Float\" Precision=\"8\" "
             "Dimensions=\"3\">"
          << joined(mesh.spacing) << "</DataItem>\n"
          << "        </Geometry>\n";
      for (const XdmfField& field : s.fields) {
        if (level < field.levels) {
          write_attribute(out, h5_file, mesh, field, level);
        }
      }
      out << "      </Grid>\n";
    }
    out << "    </Grid>\n";
  }
  out << "  </Domain>\n"
      << "</Xdmf>\n";
  return out.str();
}

} // namespace relax
