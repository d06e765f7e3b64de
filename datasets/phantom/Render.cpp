#include "datasets/phantom/Render.h"

#include <algorithm>
#include <cmath>

namespace sij::phantom {
namespace {

// Soft tissues differ by at most ~150 HU: their mutual boundaries are left to the PSF blur
// instead of supersampling (bone, gas, air, metal and the table edges are supersampled).
bool soft(std::uint8_t m) {
  return m == kSkin || m == kFat || m == kMuscle || m == kViscera || m == kLigament || m == kCanal ||
         m == kBowelWall || m == kBowelContent || m == kJointSpace;
}

struct Point {
  Material material;
  float hu;
};

Point sample(const ScanScene& scene, const Vec3& p) {
  const Vec3 q = scene.pose.apply_inverse(p);
  Sample s = scene.anatomy->eval(q);
  if (s.material == kAir) s = scene.anatomy->eval_table(p);
  if (scene.gas && scene.gas->contains(q, s.material)) return {kInjectedGas, -1000.f};
  for (const InjectedGas* g : scene.more_gas) {
    if (g->contains(q, s.material)) return {kInjectedGas, -1000.f};
  }
  return {s.material, s.hu};
}

// Fraction of the voxel (i, j, k) inside the capped-off cylinder [a, b] of radius r, by
// n^3 supersampling; exact 0 / 1 far from the surface. `layers` (n values, may be null)
// receives the fraction within each of the n sub-layers along the slice axis.
float cylinder_fraction(const Grid& g, const Affine3& af, int i, int j, int k, const Vec3& a,
                        const Vec3& b, double r, double half_diag, int n, float* layers = nullptr) {
  const Vec3 ab = b - a;
  const double len2 = dot(ab, ab);
  const auto inside = [&](const Vec3& p) {
    const double t = dot(p - a, ab) / len2;
    if (t < 0.0 || t > 1.0) return false;
    const Vec3 foot = a + ab * t;
    const Vec3 d = p - foot;
    return dot(d, d) <= r * r;
  };
  const Vec3 c = voxel_centre(g, af, i, j, k);
  const double dist = segment_distance(c, a, b);
  if (dist > r + half_diag) return 0.f;
  if (dist < r - half_diag) {
    const double t = dot(c - a, ab) / len2;
    const double margin = half_diag / std::sqrt(len2);
    if (t > margin && t < 1.0 - margin) {
      if (layers) std::fill(layers, layers + n, 1.f);
      return 1.f;
    }
  }
  int hits = 0;
  for (int sz = 0; sz < n; ++sz) {
    int layer_hits = 0;
    for (int sy = 0; sy < n; ++sy) {
      for (int sx = 0; sx < n; ++sx) {
        const Vec3 p = voxel_centre(g, af, i + (sx + 0.5) / n - 0.5, j + (sy + 0.5) / n - 0.5,
                                    k + (sz + 0.5) / n - 0.5);
        layer_hits += inside(p);
      }
    }
    hits += layer_hits;
    if (layers) layers[sz] = static_cast<float>(layer_hits) / static_cast<float>(n * n);
  }
  return static_cast<float>(hits) / static_cast<float>(n * n * n);
}

template <class Fn>
void for_cylinder_voxels(const Grid& g, const Affine3& af, const Vec3& a, const Vec3& b, double r, Fn fn) {
  double ia[3], ib[3];
  const double pa[3] = {a.x, a.y, a.z}, pb[3] = {b.x, b.y, b.z};
  af.physical_to_index(g, pa, ia);
  af.physical_to_index(g, pb, ib);
  const double sp[3] = {g.sx_mm, g.sy_mm, g.sz_mm};
  int lo[3], hi[3];
  const int n[3] = {g.nx, g.ny, g.nz};
  for (int c = 0; c < 3; ++c) {
    const double pad = r / sp[c] + 2.0;
    lo[c] = std::max(0, static_cast<int>(std::floor(std::min(ia[c], ib[c]) - pad)));
    hi[c] = std::min(n[c] - 1, static_cast<int>(std::ceil(std::max(ia[c], ib[c]) + pad)));
  }
  if (lo[0] > hi[0] || lo[1] > hi[1] || lo[2] > hi[2]) return;
#pragma omp parallel for schedule(dynamic)
  for (int k = lo[2]; k <= hi[2]; ++k) {
    for (int j = lo[1]; j <= hi[1]; ++j) {
      for (int i = lo[0]; i <= hi[0]; ++i) fn(i, j, k);
    }
  }
}


double half_diagonal(const Grid& g) {
  return 0.5 * std::sqrt(g.sx_mm * g.sx_mm + g.sy_mm * g.sy_mm + g.sz_mm * g.sz_mm);
}

// One needle (body frame) into the rendered scan: hub, then the steel shaft with its steel
// voxels (and their sub-layers) for the metal artifacts.
void render_needle(RenderedScan& out, const ScanScene& scene, const NeedleState& nd) {
  const Grid& g = out.grid;
  const Affine3& af = out.affine;
  const Vec3 tip = scene.pose.apply(nd.tip_mm);
  const Vec3 back = scene.pose.apply(nd.back_mm());
  const Vec3 hub_end = scene.pose.apply(nd.hub_end_mm());
  const double half_diag = half_diagonal(g);
  for_cylinder_voxels(g, af, back, hub_end, nd.hub_radius_mm, [&](int i, int j, int k) {
    const float f = cylinder_fraction(g, af, i, j, k, back, hub_end, nd.hub_radius_mm, half_diag, 3);
    if (f <= 0.f) return;
    const std::int64_t v = g.index(i, j, k);
    out.hu[v] = out.hu[v] * (1.f - f) + f * kHubHu;
  });
  for_cylinder_voxels(g, af, tip, hub_end, nd.radius_mm, [&](int i, int j, int k) {
    SteelVoxel sv;
    const float f = cylinder_fraction(g, af, i, j, k, tip, hub_end, nd.radius_mm, half_diag, kSteelLayers, sv.layer);
    if (f <= 0.f) return;
    const std::int64_t v = g.index(i, j, k);
    out.hu[v] = out.hu[v] * (1.f - f) + f * kSteelHu;
    if (f >= 0.25f) out.labels[v] |= kLabelNeedle;
    sv.pixel = static_cast<std::int32_t>(j * g.nx + i);
    sv.fraction = f;
    out.steel[k].push_back(sv);
  });
}

// One implant: each part a solid cylinder of metal `steel_equivalent` times as attenuating as
// steel (what the artifact projector sees as a steel fraction). Where parts overlap (a screw in
// its tulip) a voxel takes the larger fraction, so metal never adds up beyond solid.
void render_implant(RenderedScan& out, const ScanScene& scene, const Implant& im) {
  const Grid& g = out.grid;
  const Affine3& af = out.affine;
  const double half_diag = half_diagonal(g);
  std::vector<std::vector<SteelVoxel>> per_slice(static_cast<std::size_t>(g.nz));
  for (const ImplantPart& part : im.parts) {
    const Vec3 a = scene.pose.apply(part.a_mm), b = scene.pose.apply(part.b_mm);
    for_cylinder_voxels(g, af, a, b, part.radius_mm, [&](int i, int j, int k) {
      SteelVoxel sv;
      sv.fraction = cylinder_fraction(g, af, i, j, k, a, b, part.radius_mm, half_diag, kSteelLayers, sv.layer);
      if (sv.fraction <= 0.f) return;
      sv.pixel = static_cast<std::int32_t>(j * g.nx + i);
      per_slice[k].push_back(sv);
    });
  }
  const float eq = static_cast<float>(im.steel_equivalent);
  const std::int64_t plane = static_cast<std::int64_t>(g.nx) * g.ny;
  for (int k = 0; k < g.nz; ++k) {
    auto& list = per_slice[k];
    std::sort(list.begin(), list.end(), [](const SteelVoxel& x, const SteelVoxel& y) { return x.pixel < y.pixel; });
    for (std::size_t n = 0; n < list.size();) {
      SteelVoxel sv = list[n];
      for (++n; n < list.size() && list[n].pixel == sv.pixel; ++n) {
        sv.fraction = std::max(sv.fraction, list[n].fraction);
        for (int l = 0; l < kSteelLayers; ++l) sv.layer[l] = std::max(sv.layer[l], list[n].layer[l]);
      }
      const std::int64_t v = k * plane + sv.pixel;
      out.hu[v] = out.hu[v] * (1.f - sv.fraction) + sv.fraction * eq * kSteelHu;
      if (sv.fraction >= 0.25f) out.labels[v] |= kLabelHardware;
      sv.fraction *= eq;
      for (float& l : sv.layer) l *= eq;
      out.steel[k].push_back(sv);
    }
  }
}

}  // namespace

RenderedScan render_scan(const ScanScene& scene, const Grid& g, const Affine3& af) {
  RenderedScan out;
  out.grid = g;
  out.affine = af;
  const std::int64_t n = g.voxel_count();
  out.hu.assign(static_cast<std::size_t>(n), -1000.f);
  out.labels.assign(static_cast<std::size_t>(n), 0);
  out.steel.assign(static_cast<std::size_t>(g.nz), {});
  std::vector<std::uint8_t> mat(static_cast<std::size_t>(n), kAir);

  // 1. Voxel centres.
#pragma omp parallel for schedule(dynamic)
  for (int k = 0; k < g.nz; ++k) {
    for (int j = 0; j < g.ny; ++j) {
      for (int i = 0; i < g.nx; ++i) {
        const std::int64_t v = g.index(i, j, k);
        const Point pt = sample(scene, voxel_centre(g, af, i, j, k));
        mat[v] = pt.material;
        out.hu[v] = pt.hu;
      }
    }
  }

  // 2. Boundary voxels (a face neighbour of another class): 3x3x3 supersampling.
  const double vox_ml = g.sx_mm * g.sy_mm * g.sz_mm / 1000.0;
  std::vector<double> gas_ml(g.nz, 0.0), bowel_ml(g.nz, 0.0);
  std::vector<std::int64_t> boundary(g.nz, 0);
#pragma omp parallel for schedule(dynamic)
  for (int k = 0; k < g.nz; ++k) {
    double gas_sum = 0, bowel_sum = 0;
    std::int64_t nb = 0;
    for (int j = 0; j < g.ny; ++j) {
      for (int i = 0; i < g.nx; ++i) {
        const std::int64_t v = g.index(i, j, k);
        const std::uint8_t m = mat[v];
        const bool m_soft = soft(m);
        const auto differs = [&](std::int64_t w) { return mat[w] != m && !(m_soft && soft(mat[w])); };
        const std::int64_t pl = static_cast<std::int64_t>(g.nx) * g.ny;
        const bool edge = (i > 0 && differs(v - 1)) || (i + 1 < g.nx && differs(v + 1)) ||
                          (j > 0 && differs(v - g.nx)) || (j + 1 < g.ny && differs(v + g.nx)) ||
                          (k > 0 && differs(v - pl)) || (k + 1 < g.nz && differs(v + pl));
        double gas_frac = m == kInjectedGas, bowel_frac = m == kBowelGas;
        if (edge) {
          ++nb;
          double sum = 0;
          int gas = 0, bowel = 0;
          for (int sz = -1; sz <= 1; ++sz) {
            for (int sy = -1; sy <= 1; ++sy) {
              for (int sx = -1; sx <= 1; ++sx) {
                const Point pt = sample(scene, voxel_centre(g, af, i + sx / 3.0, j + sy / 3.0, k + sz / 3.0));
                sum += pt.hu;
                gas += pt.material == kInjectedGas;
                bowel += pt.material == kBowelGas;
              }
            }
          }
          out.hu[v] = static_cast<float>(sum / 27.0);
          gas_frac = gas / 27.0;
          bowel_frac = bowel / 27.0;
        }
        std::uint8_t label = 0;
        if (gas_frac >= 0.5) label |= kLabelInjectedGas;
        if (bowel_frac >= 0.5) label |= kLabelBowelGas;
        if (m == kCortical || m == kCancellous) label |= kLabelBone;
        if (m == kJointSpace) {
          label |= kLabelJointSpace;
        } else if (m == kInjectedGas) {
          const Vec3 q = scene.pose.apply_inverse(voxel_centre(g, af, i, j, k));
          if (scene.anatomy->in_joint_space(q)) label |= kLabelJointSpace;
        }
        out.labels[v] = label;
        gas_sum += gas_frac;
        bowel_sum += bowel_frac;
      }
    }
    gas_ml[k] = gas_sum * vox_ml;
    bowel_ml[k] = bowel_sum * vox_ml;
    boundary[k] = nb;
  }
  for (int k = 0; k < g.nz; ++k) {
    out.injected_gas_pv_ml += gas_ml[k];
    out.bowel_gas_pv_ml += bowel_ml[k];
    out.boundary_voxels += boundary[k];
  }

  // 3. The needles (plastic hub, then the steel shaft) and the implants, blended by volume fraction.
  if (scene.needle.present) render_needle(out, scene, scene.needle);
  for (const NeedleState& nd : scene.more_needles) render_needle(out, scene, nd);
  if (scene.implants) {
    for (const Implant& im : *scene.implants) render_implant(out, scene, im);
  }
  return out;
}

}  // namespace sij::phantom
