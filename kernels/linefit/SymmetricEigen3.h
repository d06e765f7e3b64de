// Eigen-decomposition of a symmetric 3x3 matrix by cyclic Jacobi rotations, in double, on the
// host. Jacobi is slow for big matrices but for 3x3 it is a handful of rotations, and unlike
// the closed-form (trigonometric) solution it stays accurate when eigenvalues are nearly
// equal, which is exactly the case across a needle (the two small ones are both noise).
#pragma once

#include <cmath>
#include <utility>

namespace sij::detail {

struct SymmetricEigen3 {
  double values[3];      // descending
  double vectors[3][3];  // vectors[k] is the unit eigenvector of values[k]
};

inline SymmetricEigen3 symmetric_eigen3(const double matrix[3][3]) {
  double a[3][3];
  double v[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) a[r][c] = 0.5 * (matrix[r][c] + matrix[c][r]);  // enforce symmetry

  constexpr int kPairs[3][2] = {{0, 1}, {0, 2}, {1, 2}};
  for (int sweep = 0; sweep < 64; ++sweep) {
    const double off = std::fabs(a[0][1]) + std::fabs(a[0][2]) + std::fabs(a[1][2]);
    if (off == 0.0) break;
    for (const auto& pair : kPairs) {
      const int p = pair[0], q = pair[1];
      const double apq = a[p][q];
      if (apq == 0.0) continue;
      // After a few sweeps an element too small to change either diagonal entry is zero
      // for all purposes; dropping it guarantees termination (Numerical Recipes' rule).
      const double negligible = 100.0 * std::fabs(apq);
      if (sweep > 3 && std::fabs(a[p][p]) + negligible == std::fabs(a[p][p]) &&
          std::fabs(a[q][q]) + negligible == std::fabs(a[q][q])) {
        a[p][q] = a[q][p] = 0.0;
        continue;
      }
      // Rotation angle that annihilates a[p][q]; t = tan(angle), the smaller root.
      const double theta = (a[q][q] - a[p][p]) / (2.0 * apq);
      double t;
      if (std::fabs(theta) > 1e150) {
        t = 0.5 / theta;  // theta^2 would overflow
      } else {
        t = (theta >= 0.0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1.0));
      }
      const double c = 1.0 / std::sqrt(t * t + 1.0);
      const double s = t * c;
      a[p][p] -= t * apq;
      a[q][q] += t * apq;
      a[p][q] = a[q][p] = 0.0;
      const int r = 3 - p - q;  // the third index
      const double arp = a[r][p], arq = a[r][q];
      a[r][p] = a[p][r] = c * arp - s * arq;
      a[r][q] = a[q][r] = s * arp + c * arq;
      for (int k = 0; k < 3; ++k) {
        const double vkp = v[k][p], vkq = v[k][q];
        v[k][p] = c * vkp - s * vkq;
        v[k][q] = s * vkp + c * vkq;
      }
    }
  }

  int order[3] = {0, 1, 2};
  for (int i = 0; i < 3; ++i)
    for (int j = i + 1; j < 3; ++j)
      if (a[order[j]][order[j]] > a[order[i]][order[i]]) std::swap(order[i], order[j]);

  SymmetricEigen3 out{};
  for (int k = 0; k < 3; ++k) {
    const int col = order[k];
    out.values[k] = a[col][col];
    const double norm = std::sqrt(v[0][col] * v[0][col] + v[1][col] * v[1][col] + v[2][col] * v[2][col]);
    for (int r = 0; r < 3; ++r) out.vectors[k][r] = v[r][col] / norm;
  }
  return out;
}

}  // namespace sij::detail
