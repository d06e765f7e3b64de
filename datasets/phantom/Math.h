// Small fixed-size vector and rigid-transform helpers for the phantom (double precision, mm).
#pragma once

#include <algorithm>
#include <cmath>

namespace sij::phantom {

struct Vec3 {
  double x = 0, y = 0, z = 0;
  Vec3() = default;
  constexpr Vec3(double x_, double y_, double z_) : x(x_), y(y_), z(z_) {}
  Vec3 operator+(const Vec3& o) const { return {x + o.x, y + o.y, z + o.z}; }
  Vec3 operator-(const Vec3& o) const { return {x - o.x, y - o.y, z - o.z}; }
  Vec3 operator*(double s) const { return {x * s, y * s, z * s}; }
  Vec3 operator-() const { return {-x, -y, -z}; }
  double operator[](int i) const { return i == 0 ? x : (i == 1 ? y : z); }
};

inline double dot(const Vec3& a, const Vec3& b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
inline Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
inline double norm(const Vec3& a) { return std::sqrt(dot(a, a)); }
inline Vec3 normalized(const Vec3& a) { return a * (1.0 / norm(a)); }

// Distance from p to the segment [a, b]; t receives the clamped parameter in [0, 1].
inline double segment_distance(const Vec3& p, const Vec3& a, const Vec3& b, double* t_out = nullptr) {
  const Vec3 ab = b - a;
  const double len2 = dot(ab, ab);
  double t = len2 > 0 ? dot(p - a, ab) / len2 : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  if (t_out) *t_out = t;
  return norm(p - (a + ab * t));
}

inline double smoothstep(double e0, double e1, double x) {
  const double t = std::clamp((x - e0) / (e1 - e0), 0.0, 1.0);
  return t * t * (3.0 - 2.0 * t);
}

// Rigid transform p' = R p + t (R row-major, orthonormal).
struct Rigid {
  double r[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  Vec3 t;

  Vec3 apply(const Vec3& p) const {
    return Vec3{r[0] * p.x + r[1] * p.y + r[2] * p.z, r[3] * p.x + r[4] * p.y + r[5] * p.z,
                r[6] * p.x + r[7] * p.y + r[8] * p.z} + t;
  }
  Vec3 rotate(const Vec3& v) const {
    return {r[0] * v.x + r[1] * v.y + r[2] * v.z, r[3] * v.x + r[4] * v.y + r[5] * v.z,
            r[6] * v.x + r[7] * v.y + r[8] * v.z};
  }
  Vec3 apply_inverse(const Vec3& p) const {
    const Vec3 d = p - t;
    return {r[0] * d.x + r[3] * d.y + r[6] * d.z, r[1] * d.x + r[4] * d.y + r[7] * d.z,
            r[2] * d.x + r[5] * d.y + r[8] * d.z};
  }
  // Rotation by angle_rad about the unit axis (Rodrigues), then translation.
  static Rigid from_axis_angle(const Vec3& axis, double angle_rad, const Vec3& translation) {
    const Vec3 k = normalized(axis);
    const double c = std::cos(angle_rad), s = std::sin(angle_rad), v = 1.0 - c;
    Rigid m;
    m.r[0] = c + k.x * k.x * v;       m.r[1] = k.x * k.y * v - k.z * s; m.r[2] = k.x * k.z * v + k.y * s;
    m.r[3] = k.y * k.x * v + k.z * s; m.r[4] = c + k.y * k.y * v;       m.r[5] = k.y * k.z * v - k.x * s;
    m.r[6] = k.z * k.x * v - k.y * s; m.r[7] = k.z * k.y * v + k.x * s; m.r[8] = c + k.z * k.z * v;
    m.t = translation;
    return m;
  }
  // Rotation angle in degrees.
  double angle_deg() const {
    const double c = std::clamp((r[0] + r[4] + r[8] - 1.0) * 0.5, -1.0, 1.0);
    return std::acos(c) * 180.0 / 3.14159265358979323846;
  }
};

constexpr double kPi = 3.14159265358979323846;

}  // namespace sij::phantom
