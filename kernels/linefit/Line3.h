// A 3D line (point + unit direction) in double, and point-to-line geometry shared by the
// RANSAC and refinement bodies.
#pragma once

#include <cmath>

#include "kernels/core/Macros.h"

namespace sij::detail {

struct Line3 {
  double point[3];
  double direction[3];  // unit
};

// Offset v = p - line.point, its projection t on the direction, and the squared distance
// |v x d|^2 (the cross product stays accurate for points near the line, where |v|^2 - t^2
// would cancel).
struct LineOffset {
  double v[3];
  double along;
  double distance2;
};

SIJ_HD inline LineOffset line_offset(const Line3& line, const double p[3]) {
  LineOffset o;
  for (int c = 0; c < 3; ++c) o.v[c] = p[c] - line.point[c];
  const double* d = line.direction;
  o.along = o.v[0] * d[0] + o.v[1] * d[1] + o.v[2] * d[2];
  const double cx = o.v[1] * d[2] - o.v[2] * d[1];
  const double cy = o.v[2] * d[0] - o.v[0] * d[2];
  const double cz = o.v[0] * d[1] - o.v[1] * d[0];
  o.distance2 = cx * cx + cy * cy + cz * cz;
  return o;
}

// The line through a and b; false when they (nearly) coincide and give no direction.
SIJ_HD inline bool line_through(const double a[3], const double b[3], Line3& line) {
  double d[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
  const double length = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
  if (!(length > 1e-9)) return false;
  for (int c = 0; c < 3; ++c) {
    line.point[c] = a[c];
    line.direction[c] = d[c] / length;
  }
  return true;
}

// Flips d so that its largest |component| is positive (the first such on ties): the same line
// then always reports the same direction.
inline void canonical_sign(double d[3]) {
  int largest = 0;
  for (int c = 1; c < 3; ++c)
    if (std::fabs(d[c]) > std::fabs(d[largest])) largest = c;
  if (d[largest] < 0.0)
    for (int c = 0; c < 3; ++c) d[c] = -d[c];
}

}  // namespace sij::detail
