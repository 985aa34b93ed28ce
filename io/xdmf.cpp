#include "io/xdmf.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
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

/// One level of a series as an HDF DataItem with the XDMF 3 selection suffix
/// "file:/dataset|start:stride:count:dims" (ParaView's Xdmf3 readers read it; their HyperSlab
/// items and the legacy XDMF 2 reader's in-memory HyperSlab copy load no data in ParaView 5.11).
void write_attribute(std::ostream& out, const std::string& h5_file, const Mesh& mesh,
                     const XdmfField& field, std::size_t level) {
  const std::size_t rank = mesh.cells.size() + 1;
  std::vector<std::size_t> start(rank, 0);
  start[0] = level;
  const std::vector<std::size_t> stride(rank, 1);
  std::vector<std::size_t> count{1};
  count.insert(count.end(), mesh.cells.begin(), mesh.cells.end());
  std::vector<std::size_t> source{field.levels};
  source.insert(source.end(), mesh.cells.begin(), mesh.cells.end());
  out << "        <Attribute Name=\"" << escaped(field.name)
      << "\" AttributeType=\"Scalar\" Center=\"Cell\">\n"
      << "          <DataItem Format=\"HDF\" NumberType=\"Float\" Precision=\"8\" Dimensions=\""
      << joined(count) << "\">" << escaped(h5_file) << ':' << escaped(field.dataset) << '|'
      << joined(start) << ':' << joined(stride) << ':' << joined(count) << ':' << joined(source)
      << "</DataItem>\n"
      << "        </Attribute>\n";
}

} // namespace

std::string xdmf_time(double t) {
  std::array<char, 32> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%.12g", t);
  return buffer.data();
}

std::vector<XdmfSeries> merge_series_on_one_time_axis(const std::vector<XdmfSeries>& series) {
  const auto same_times = [](const XdmfSeries& a, const XdmfSeries& b) {
    return std::equal(a.times.begin(), a.times.end(), b.times.begin(), b.times.end(),
                      [](double s, double t) { return xdmf_time(s) == xdmf_time(t); });
  };
  const auto same_axes = [](const XdmfSeries& a, const XdmfSeries& b) {
    return std::equal(
        a.axes.begin(), a.axes.end(), b.axes.begin(), b.axes.end(),
        [](const Axis& s, const Axis& t) { return s.lo == t.lo && s.hi == t.hi && s.n == t.n; });
  };
  std::vector<XdmfSeries> merged;
  for (const XdmfSeries& s : series) {
    const auto match = std::find_if(merged.begin(), merged.end(), [&](const XdmfSeries& m) {
      return same_axes(m, s) && same_times(m, s);
    });
    if (match == merged.end()) {
      merged.push_back(s);
      continue;
    }
    match->name += "_" + s.name;
    match->fields.insert(match->fields.end(), s.fields.begin(), s.fields.end());
  }
  for (XdmfSeries& m : merged) { // a name shown twice in one collection: show the datasets
    std::map<std::string, int> uses;
    for (const XdmfField& field : m.fields) {
      ++uses[field.name];
    }
    for (XdmfField& field : m.fields) {
      if (uses[field.name] > 1) {
        field.name = field.dataset.substr(1);
      }
    }
  }
  return merged;
}

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
          << "        <Time Value=\"" << xdmf_time(s.times[level]) << "\"/>\n"
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
