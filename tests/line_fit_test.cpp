// Line fitting on synthetic needle point clouds: a noisy segment of known direction, a second
// parallel line as a distraction and 30-60% uniform outliers. The fit is checked against the
// truth, and its inlier mask, PCA and statistics against brute-force long-double references.
#include <gtest/gtest.h>

#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include "kernels/core/Buffer.h"
#include "kernels/linefit/CounterRng.h"
#include "kernels/linefit/LineFit.h"
#include "kernels/linefit/SymmetricEigen3.h"
#include "support/BackendParam.h"
#include "support/RandomVolumes.h"

namespace sij {
namespace {

using Vec3L = std::array<long double, 3>;

long double dot(const Vec3L& a, const Vec3L& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
Vec3L sub(const Vec3L& a, const Vec3L& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
Vec3L scaled(const Vec3L& a, long double s) { return {a[0] * s, a[1] * s, a[2] * s}; }
long double norm(const Vec3L& a) { return std::sqrt(dot(a, a)); }
Vec3L unit(const Vec3L& a) { return scaled(a, 1 / norm(a)); }
Vec3L cross(const Vec3L& a, const Vec3L& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

struct NeedleScene {
  std::vector<float> points;  // x,y,z triples
  std::vector<float> weights;
  Vec3L tip, hub;  // ends of the true needle segment
};

// A 22G needle (noise 0.2 mm per axis) of 40-80 mm, a parallel distraction 4-6 mm away with
// 40% as many points, and uniform outliers making up `outlier_fraction` of the cloud, all
// shuffled so no backend chunk holds only one kind.
NeedleScene make_scene(std::uint32_t seed, double outlier_fraction) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> noise(0, 0.2);
  NeedleScene s;
  const Vec3L direction = unit({noise(rng) * 5 + 0.3, noise(rng) * 5 - 0.5, noise(rng) * 5 + 1.0});
  const Vec3L centre = {-60 + 120 * u(rng), -60 + 120 * u(rng), -400 + 100 * u(rng)};
  const double length = 40 + 40 * u(rng);
  s.tip = sub(centre, scaled(direction, length / 2));
  s.hub = sub(centre, scaled(direction, -length / 2));
  const Vec3L side = unit(cross(direction, {0.3L, 0.9L, -0.2L}));
  const Vec3L distraction_offset = scaled(side, 4 + 2 * u(rng));

  std::vector<std::array<float, 4>> cloud;  // x, y, z, weight
  const auto add_line_points = [&](int count, const Vec3L& shift) {
    for (int i = 0; i < count; ++i) {
      const long double t = -length / 2 + length * u(rng);
      const Vec3L p = {centre[0] + shift[0] + t * direction[0] + noise(rng),
                       centre[1] + shift[1] + t * direction[1] + noise(rng),
                       centre[2] + shift[2] + t * direction[2] + noise(rng)};
      cloud.push_back({static_cast<float>(p[0]), static_cast<float>(p[1]), static_cast<float>(p[2]),
                       static_cast<float>(2000 + 1000 * u(rng))});
    }
  };
  const int needle_points = 300, distraction_points = 120;
  add_line_points(needle_points, {0, 0, 0});
  add_line_points(distraction_points, distraction_offset);
  const int outliers = static_cast<int>(std::lround((needle_points + distraction_points) *
                                                    outlier_fraction / (1 - outlier_fraction)));
  for (int i = 0; i < outliers; ++i) {
    cloud.push_back({static_cast<float>(centre[0] - 45 + 90 * u(rng)),
                     static_cast<float>(centre[1] - 45 + 90 * u(rng)),
                     static_cast<float>(centre[2] - 45 + 90 * u(rng)),
                     static_cast<float>(1500 + 1500 * u(rng))});
  }
  std::shuffle(cloud.begin(), cloud.end(), rng);
  for (const auto& c : cloud) {
    s.points.insert(s.points.end(), {c[0], c[1], c[2]});
    s.weights.push_back(c[3]);
  }
  return s;
}

Vec3L point_at(const std::vector<float>& points, std::size_t i) {
  return {points[3 * i], points[3 * i + 1], points[3 * i + 2]};
}

long double distance_to_line(const Vec3L& p, const Vec3L& on_line, const Vec3L& direction) {
  return norm(cross(sub(p, on_line), direction));
}

struct FitOutput {
  LineFitResult result;
  std::vector<std::uint8_t> mask;
};

// The independent PCA reference: weighted centroid and covariance in long double, dominant
// eigenvector by power iteration, the other two eigenvalues from the trace and determinant.
struct PcaReference {
  Vec3L centroid;
  Vec3L direction;
  long double eigenvalues[3];
};

PcaReference pca_reference(const std::vector<float>& points, const std::vector<float>* weights,
                           const std::vector<std::uint8_t>& mask) {
  long double w_sum = 0;
  Vec3L sum = {0, 0, 0};
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (!mask[i]) continue;
    const long double w = weights ? (*weights)[i] : 1.0L;
    w_sum += w;
    const Vec3L p = point_at(points, i);
    for (int c = 0; c < 3; ++c) sum[c] += w * p[c];
  }
  PcaReference ref;
  ref.centroid = scaled(sum, 1 / w_sum);
  long double cov[3][3] = {};
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (!mask[i]) continue;
    const long double w = weights ? (*weights)[i] : 1.0L;
    const Vec3L v = sub(point_at(points, i), ref.centroid);
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) cov[r][c] += w * v[r] * v[c] / w_sum;
  }
  // Start from the covariance row of largest norm: it has a component along the dominant axis.
  int start = 0;
  for (int r = 1; r < 3; ++r)
    if (norm({cov[r][0], cov[r][1], cov[r][2]}) > norm({cov[start][0], cov[start][1], cov[start][2]})) start = r;
  Vec3L v = unit({cov[start][0], cov[start][1], cov[start][2]});
  for (int it = 0; it < 500; ++it) {
    Vec3L next;
    for (int r = 0; r < 3; ++r) next[r] = cov[r][0] * v[0] + cov[r][1] * v[1] + cov[r][2] * v[2];
    v = unit(next);
  }
  ref.direction = v;
  Vec3L cv;
  for (int r = 0; r < 3; ++r) cv[r] = cov[r][0] * v[0] + cov[r][1] * v[1] + cov[r][2] * v[2];
  const long double l1 = dot(v, cv);
  const long double trace = cov[0][0] + cov[1][1] + cov[2][2];
  const long double det = cov[0][0] * (cov[1][1] * cov[2][2] - cov[1][2] * cov[2][1]) -
                          cov[0][1] * (cov[1][0] * cov[2][2] - cov[1][2] * cov[2][0]) +
                          cov[0][2] * (cov[1][0] * cov[2][1] - cov[1][1] * cov[2][0]);
  const long double s = trace - l1, p = det / l1;
  const long double disc = std::sqrt(std::max(0.0L, s * s - 4 * p));
  ref.eigenvalues[0] = l1;
  ref.eigenvalues[1] = (s + disc) / 2;
  ref.eigenvalues[2] = (s - disc) / 2;
  return ref;
}

class LineFitTest : public test::BackendTest {
 protected:
  FitOutput fit(const std::vector<float>& points, const std::vector<float>* weights,
                const LineFitParams& params = {}) {
    const auto count = static_cast<std::int64_t>(points.size() / 3);
    auto d_points = Buffer<float>::from_host(backend(), points);
    Buffer<float> d_weights;
    if (weights) d_weights = Buffer<float>::from_host(backend(), *weights);
    Buffer<std::uint8_t> d_mask(backend(), static_cast<std::size_t>(count));
    d_mask.fill_bytes(0xFF);  // poison: every entry must be written 0 or 1
    FitOutput out;
    out.result = fit_line(backend(), count ? d_points.data() : nullptr,
                          weights ? d_weights.data() : nullptr, count, params,
                          count ? d_mask.data() : nullptr);
    out.mask = d_mask.to_host();
    return out;
  }

  // Every check that needs no knowledge of the truth: the mask, count, rms, extent, PCA.
  void expect_self_consistent(const std::vector<float>& points, const std::vector<float>* weights,
                              const FitOutput& out, const LineFitParams& params) {
    const LineFitResult& r = out.result;
    const Vec3L point = {r.point_mm[0], r.point_mm[1], r.point_mm[2]};
    const Vec3L direction = {r.direction[0], r.direction[1], r.direction[2]};
    EXPECT_NEAR(static_cast<double>(norm(direction)), 1.0, 1e-12);
    int largest = 0;
    for (int c = 1; c < 3; ++c)
      if (std::fabs(r.direction[c]) > std::fabs(r.direction[largest])) largest = c;
    EXPECT_GT(r.direction[largest], 0.0) << "sign must be canonical";

    // Mask: a brute-force recomputation of distances to the returned line.
    const long double limit = params.inlier_distance_mm;
    std::int64_t inliers = 0;
    long double w_sum = 0, wd2_sum = 0, along_min = 1e30L, along_max = -1e30L;
    for (std::size_t i = 0; i < out.mask.size(); ++i) {
      ASSERT_LE(out.mask[i], 1) << "mask entry " << i << " not written";
      const Vec3L p = point_at(points, i);
      const long double d = distance_to_line(p, point, direction);
      if (std::fabs(d - limit) > 1e-9L) {
        ASSERT_EQ(out.mask[i], d <= limit ? 1 : 0) << "point " << i << " at " << static_cast<double>(d) << " mm";
      }
      if (!out.mask[i]) continue;
      ++inliers;
      const long double w = weights ? (*weights)[i] : 1.0L;
      w_sum += w;
      wd2_sum += w * d * d;
      const long double along = dot(sub(p, point), direction);
      along_min = std::min(along_min, along);
      along_max = std::max(along_max, along);
    }
    EXPECT_EQ(r.inlier_count, inliers);
    EXPECT_NEAR(r.rms_distance_mm, static_cast<double>(std::sqrt(wd2_sum / w_sum)), 1e-9);
    EXPECT_NEAR(r.extent_min_mm, static_cast<double>(along_min), 1e-9);
    EXPECT_NEAR(r.extent_max_mm, static_cast<double>(along_max), 1e-9);

    // PCA: the returned line is the weighted PCA of its own inliers.
    const PcaReference ref = pca_reference(points, weights, out.mask);
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(r.point_mm[c], static_cast<double>(ref.centroid[c]), 1e-8) << c;
    EXPECT_GT(static_cast<double>(std::fabs(dot(ref.direction, direction))), 1 - 1e-12);
    for (int k = 0; k < 3; ++k) {
      EXPECT_NEAR(r.eigenvalues_mm2[k], static_cast<double>(ref.eigenvalues[k]),
                  1e-9 * static_cast<double>(ref.eigenvalues[0]))
          << "eigenvalue " << k;
    }
  }
};

TEST_P(LineFitTest, RecoversNeedleAmongOutliersAndParallelDistraction) {
  for (double outlier_fraction : {0.3, 0.45, 0.6}) {
    for (int repeat = 0; repeat < 2; ++repeat) {
      const std::uint32_t seed = test::fresh_seed();
      const NeedleScene scene = make_scene(seed, outlier_fraction);
      const LineFitParams params;
      const FitOutput out = fit(scene.points, &scene.weights, params);
      SCOPED_TRACE(::testing::Message() << "scene seed " << seed << ", outliers " << outlier_fraction);
      ASSERT_TRUE(out.result.found);
      const Vec3L point = {out.result.point_mm[0], out.result.point_mm[1], out.result.point_mm[2]};
      const Vec3L direction = {out.result.direction[0], out.result.direction[1], out.result.direction[2]};
      const Vec3L truth = unit(sub(scene.hub, scene.tip));
      const double angle_deg =
          static_cast<double>(std::acos(std::min(1.0L, std::fabs(dot(truth, direction))))) * 180 / M_PI;
      EXPECT_LT(angle_deg, 1.0);
      EXPECT_LT(static_cast<double>(distance_to_line(scene.tip, point, direction)), 0.2);
      EXPECT_LT(static_cast<double>(distance_to_line(scene.hub, point, direction)), 0.2);
      // Nearly all 300 needle points, none of the distraction.
      EXPECT_GE(out.result.inlier_count, 295);
      EXPECT_LE(out.result.inlier_count, 320);
      EXPECT_LT(out.result.rms_distance_mm, 0.45);
      // The extent covers the needle; it may reach further, since an outlier that happens to
      // lie on the line beyond the needle is an inlier too.
      const long double tip_along = dot(sub(scene.tip, point), direction);
      const long double hub_along = dot(sub(scene.hub, point), direction);
      EXPECT_LT(out.result.extent_min_mm, static_cast<double>(std::min(tip_along, hub_along)) + 3.0);
      EXPECT_GT(out.result.extent_max_mm, static_cast<double>(std::max(tip_along, hub_along)) - 3.0);
      expect_self_consistent(scene.points, &scene.weights, out, params);
    }
  }
}

TEST_P(LineFitTest, UnweightedFitIsSelfConsistent) {
  const NeedleScene scene = make_scene(test::fresh_seed(), 0.45);
  LineFitParams params;
  params.inlier_distance_mm = 0.35f;  // inside the noise: many points sit near the boundary
  const FitOutput out = fit(scene.points, nullptr, params);
  ASSERT_TRUE(out.result.found);
  expect_self_consistent(scene.points, nullptr, out, params);
}

TEST_P(LineFitTest, DeterministicAndIndependentOfThreadCount) {
  const NeedleScene scene = make_scene(test::fresh_seed(), 0.5);
  const int threads = omp_get_max_threads();
  const FitOutput first = fit(scene.points, &scene.weights);
  omp_set_num_threads(1);
  const FitOutput single = fit(scene.points, &scene.weights);
  omp_set_num_threads(3);
  const FitOutput three = fit(scene.points, &scene.weights);
  omp_set_num_threads(threads);
  const FitOutput again = fit(scene.points, &scene.weights);
  ASSERT_TRUE(first.result.found);
  for (const FitOutput* other : {&single, &three, &again}) {
    EXPECT_EQ(std::memcmp(&first.result, &other->result, sizeof(LineFitResult)), 0);
    EXPECT_EQ(first.mask, other->mask);
  }
}

TEST_P(LineFitTest, SeedChangesHypothesesButNotTheLine) {
  // A different seed draws other pairs, yet refinement lands on the same inlier set.
  const NeedleScene scene = make_scene(test::fresh_seed(), 0.3);
  LineFitParams other;
  other.seed = 12345;
  const FitOutput a = fit(scene.points, &scene.weights);
  const FitOutput b = fit(scene.points, &scene.weights, other);
  ASSERT_TRUE(a.result.found && b.result.found);
  EXPECT_EQ(a.mask, b.mask);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(a.result.direction[c], b.result.direction[c], 1e-12);
}

TEST_P(LineFitTest, NoLineCases) {
  std::mt19937 rng(test::fresh_seed());
  std::uniform_real_distribution<float> u(-30.f, 30.f);
  const auto expect_no_line = [&](const std::vector<float>& points, const LineFitParams& params,
                                  const char* what) {
    std::vector<float> weights(points.size() / 3, 1000.f);
    const FitOutput out = fit(points, &weights, params);
    EXPECT_FALSE(out.result.found) << what;
    EXPECT_EQ(out.result.inlier_count, 0) << what;
    for (std::size_t i = 0; i < out.mask.size(); ++i) ASSERT_EQ(out.mask[i], 0) << what << ", point " << i;
  };
  expect_no_line({}, {}, "no points");
  expect_no_line({1.f, 2.f, 3.f}, {}, "one point");
  std::vector<float> few;
  for (int i = 0; i < 6; ++i) few.insert(few.end(), {1.f * i, 2.f * i, 0.5f * i});
  expect_no_line(few, {}, "six collinear points, ten needed");
  std::vector<float> noise;
  for (int i = 0; i < 300; ++i) noise.insert(noise.end(), {u(rng), u(rng), u(rng)});
  expect_no_line(noise, {}, "uniform noise");
  std::vector<float> same;
  for (int i = 0; i < 50; ++i) same.insert(same.end(), {4.f, -7.f, 12.5f});
  expect_no_line(same, {}, "one repeated point");
  LineFitParams no_iterations;
  no_iterations.iterations = 0;
  expect_no_line(make_scene(test::fresh_seed(), 0.3).points, no_iterations, "no hypotheses");
}

SIJ_INSTANTIATE_BACKENDS(LineFitTest);

// ---- Host-side pieces -----------------------------------------------------------------------

TEST(SymmetricEigen3Test, DecomposesRandomAndDegenerateMatrices) {
  std::mt19937 rng(test::fresh_seed());
  std::normal_distribution<double> g(0, 1);
  std::vector<std::array<std::array<double, 3>, 3>> cases;
  for (int i = 0; i < 200; ++i) {
    std::array<std::array<double, 3>, 3> m{};
    for (int r = 0; r < 3; ++r)
      for (int c = r; c < 3; ++c) m[r][c] = m[c][r] = g(rng) * std::pow(10.0, i % 7 - 3);
    cases.push_back(m);
  }
  const double u[3] = {0.48, -0.6, 0.64};  // rank one: u u^T, eigenvalues 1, 0, 0
  std::array<std::array<double, 3>, 3> rank_one{};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) rank_one[r][c] = u[r] * u[c];
  cases.push_back(rank_one);
  cases.push_back({{{2, 0, 0}, {0, 2, 0}, {0, 0, 2}}});
  cases.push_back({{{0, 0, 0}, {0, 0, 0}, {0, 0, 0}}});
  cases.push_back({{{300, 1e-3, -2e-3}, {1e-3, 0.04, 1e-6}, {-2e-3, 1e-6, 0.04}}});  // a needle

  for (const auto& m : cases) {
    double a[3][3];
    double scale = 0;
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) {
        a[r][c] = m[r][c];
        scale = std::max(scale, std::fabs(m[r][c]));
      }
    const detail::SymmetricEigen3 e = detail::symmetric_eigen3(a);
    EXPECT_GE(e.values[0], e.values[1]);
    EXPECT_GE(e.values[1], e.values[2]);
    for (int k = 0; k < 3; ++k) {
      for (int r = 0; r < 3; ++r) {
        const double av = a[r][0] * e.vectors[k][0] + a[r][1] * e.vectors[k][1] + a[r][2] * e.vectors[k][2];
        EXPECT_NEAR(av, e.values[k] * e.vectors[k][r], 1e-13 * std::max(scale, 1e-300));
      }
      for (int j = 0; j < 3; ++j) {
        const double d = e.vectors[k][0] * e.vectors[j][0] + e.vectors[k][1] * e.vectors[j][1] +
                         e.vectors[k][2] * e.vectors[j][2];
        EXPECT_NEAR(d, k == j ? 1.0 : 0.0, 1e-13);
      }
    }
  }
}

TEST(CounterRngTest, HypothesisPairsAreDistinctInRangeAndReproducible) {
  for (std::int64_t count : {2, 3, 17, 1000003}) {
    for (std::int64_t h = 0; h < 2000; ++h) {
      std::int64_t i, j, i2, j2;
      detail::hypothesis_pair(0x5EED5EEDull, h, count, i, j);
      detail::hypothesis_pair(0x5EED5EEDull, h, count, i2, j2);
      ASSERT_NE(i, j);
      ASSERT_TRUE(i >= 0 && i < count && j >= 0 && j < count);
      ASSERT_EQ(i, i2);
      ASSERT_EQ(j, j2);
    }
  }
  // Both orders of a pair come up: the second index is not biased above the first.
  int below = 0;
  for (std::int64_t h = 0; h < 2000; ++h) {
    std::int64_t i, j;
    detail::hypothesis_pair(7, h, 10, i, j);
    below += j < i;
  }
  EXPECT_GT(below, 800);
  EXPECT_LT(below, 1200);
}

}  // namespace
}  // namespace sij
