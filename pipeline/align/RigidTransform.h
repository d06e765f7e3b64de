// A rigid transform of DICOM patient coordinates (LPS, mm): p' = R p + t, R row-major and
// orthonormal. Used to carry points of one scan into an earlier scan of the same procedure
// (the patient moves a few millimetres and degrees between scans).
#pragma once

#include <cmath>

namespace sij::align {

struct RigidTransform {
  double r[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  double t_mm[3] = {0, 0, 0};

  void apply(const double p[3], double out[3]) const {
    for (int i = 0; i < 3; ++i) out[i] = r[i * 3] * p[0] + r[i * 3 + 1] * p[1] + r[i * 3 + 2] * p[2] + t_mm[i];
  }
  RigidTransform inverse() const {
    RigidTransform inv;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) inv.r[i * 3 + j] = r[j * 3 + i];
    for (int i = 0; i < 3; ++i)
      inv.t_mm[i] = -(inv.r[i * 3] * t_mm[0] + inv.r[i * 3 + 1] * t_mm[1] + inv.r[i * 3 + 2] * t_mm[2]);
    return inv;
  }
  // (a.then(b))(p) = b(a(p)).
  RigidTransform then(const RigidTransform& b) const {
    RigidTransform c;
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) {
        c.r[i * 3 + j] = b.r[i * 3] * r[j] + b.r[i * 3 + 1] * r[3 + j] + b.r[i * 3 + 2] * r[6 + j];
      }
      c.t_mm[i] = b.r[i * 3] * t_mm[0] + b.r[i * 3 + 1] * t_mm[1] + b.r[i * 3 + 2] * t_mm[2] + b.t_mm[i];
    }
    return c;
  }
  double translation_mm() const { return std::sqrt(t_mm[0] * t_mm[0] + t_mm[1] * t_mm[1] + t_mm[2] * t_mm[2]); }
  double rotation_deg() const {
    double c = (r[0] + r[4] + r[8] - 1.0) * 0.5;
    c = c > 1.0 ? 1.0 : (c < -1.0 ? -1.0 : c);
    return std::acos(c) * 180.0 / 3.14159265358979323846;
  }
};

}  // namespace sij::align
