// Small 3-vector helpers for the needle stage (host code, double, LPS millimetres).
#pragma once

#include <array>
#include <cmath>

namespace sij::needle {

using V3 = std::array<double, 3>;

inline V3 v3(const double p[3]) { return {p[0], p[1], p[2]}; }
inline V3 operator+(const V3& a, const V3& b) { return {a[0] + b[0], a[1] + b[1], a[2] + b[2]}; }
inline V3 operator-(const V3& a, const V3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
inline V3 operator*(const V3& a, double s) { return {a[0] * s, a[1] * s, a[2] * s}; }
inline double dot(const V3& a, const V3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
inline V3 cross(const V3& a, const V3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
inline double norm(const V3& a) { return std::sqrt(dot(a, a)); }
inline V3 unit(const V3& a) {
  const double n = norm(a);
  return n > 0 ? a * (1.0 / n) : V3{0, 0, 0};
}
// Two unit vectors perpendicular to unit d and to each other.
inline void perpendicular_basis(const V3& d, V3& u, V3& w) {
  const V3 helper = std::fabs(d[0]) < 0.9 ? V3{1, 0, 0} : V3{0, 1, 0};
  u = unit(cross(d, helper));
  w = cross(d, u);
}

// A line: a point on it and a unit direction.
struct Axis {
  V3 point{0, 0, 0};
  V3 direction{0, 0, 1};
  V3 at(double t) const { return point + direction * t; }
  double along(const V3& p) const { return dot(p - point, direction); }
  double distance(const V3& p) const { return norm(cross(p - point, direction)); }
};

}  // namespace sij::needle
