#include "tools/gpu-check/KernelChecks.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

#include "kernels/ccl/ConnectedComponents.h"
#include "kernels/classify/Classify.h"
#include "kernels/classify/Hysteresis.h"
#include "kernels/core/Buffer.h"
#include "kernels/edt/DistanceTransform.h"
#include "kernels/linefit/LineFit.h"
#include "kernels/morphology/HoleFilling.h"
#include "kernels/morphology/Morphology.h"
#include "kernels/sampling/Sampling.h"

namespace sij::gpucheck {
namespace {

// The float tolerance for `device`: `cuda` on a GPU, 0 on the emulated device.
double tolerance_for(Backend device, double cuda) { return device == Backend::Cuda ? cuda : 0.0; }

std::string tolerance_text(double tolerance, const char* unit) {
  if (tolerance == 0.0) return "identical";
  char text[64];
  std::snprintf(text, sizeof text, "|d| <= %g %s", tolerance, unit);
  return text;
}

// Compares two outputs element by element; the first difference goes into the detail.
template <class T>
void compare(const std::vector<T>& cpu, const std::vector<T>& device, double tolerance,
             const char* unit, CheckResult& result) {
  result.tolerance = tolerance_text(tolerance, unit);
  result.match = cpu.size() == device.size();
  std::int64_t differing = 0, first = -1;
  for (std::size_t i = 0; result.match && i < cpu.size(); ++i) {
    const double d = std::fabs(static_cast<double>(cpu[i]) - static_cast<double>(device[i]));
    if (d > result.max_abs_diff || std::isnan(d)) result.max_abs_diff = std::isnan(d) ? INFINITY : d;
    if (!(d <= tolerance)) {
      ++differing;
      if (first < 0) first = static_cast<std::int64_t>(i);
    }
  }
  result.match = result.match && differing == 0;
  char text[160];
  if (first >= 0) {
    std::snprintf(text, sizeof text, "%lld of %zu elements differ; first at %lld: cpu %g, device %g",
                  static_cast<long long>(differing), cpu.size(), static_cast<long long>(first),
                  static_cast<double>(cpu[first]), static_cast<double>(device[first]));
  } else {
    std::snprintf(text, sizeof text, "%zu elements, max |d| %g", cpu.size(), result.max_abs_diff);
  }
  result.detail = text;
}

// Runs kernel(backend, in, out) with `input` uploaded and `count` outputs on each backend;
// times the kernel alone (every kernel synchronises before it returns).
template <class In, class Out, class Kernel>
CheckResult run_pair(const char* name, const std::vector<In>& input, std::size_t count,
                     Backend device, int repeat, double tolerance, const char* unit,
                     Kernel kernel) {
  CheckResult result;
  result.kind = "kernel";
  result.name = name;
  std::vector<Out> outputs[2];
  const Backend backends[2] = {Backend::Cpu, device};
  double ms[2];
  for (int b = 0; b < 2; ++b) {
    const auto in = Buffer<In>::from_host(backends[b], input);
    Buffer<Out> out(backends[b], count);
    out.fill_bytes(0xFF);  // poison: an unwritten element differs
    ms[b] = median_ms(repeat, [&] { kernel(backends[b], in.data(), out.data()); });
    outputs[b] = out.to_host();
  }
  result.cpu_ms = ms[0];
  result.device_ms = ms[1];
  compare(outputs[0], outputs[1], tolerance, unit, result);
  std::fprintf(stderr, "  %-26s %s  cpu %9.1f ms  %s %9.1f ms\n", name, result.match ? "ok  " : "DIFF",
               result.cpu_ms, std::string(backend_name(device)).c_str(), result.device_ms);
  return result;
}

// Metal voxels of the volume as points in mm, with their HU as weights.
void metal_points(const datasets::SmokeVolume& v, std::vector<float>& points, std::vector<float>& weights) {
  for (std::int64_t i = 0; i < v.grid.voxel_count(); ++i) {
    if (v.hu[i] < 2000) continue;
    std::int32_t x, y, z;
    v.grid.coords(i, x, y, z);
    points.insert(points.end(), {x * v.grid.sx_mm, y * v.grid.sy_mm, z * v.grid.sz_mm});
    weights.push_back(static_cast<float>(v.hu[i]));
  }
}

CheckResult check_line_fit(const datasets::SmokeVolume& v, Backend device, int repeat) {
  std::vector<float> points, weights;
  metal_points(v, points, weights);
  const auto count = static_cast<std::int64_t>(weights.size());
  CheckResult result;
  result.kind = "kernel";
  result.name = "fit_line";
  LineFitResult fits[2];
  std::vector<std::uint8_t> masks[2];
  const Backend backends[2] = {Backend::Cpu, device};
  double ms[2];
  for (int b = 0; b < 2; ++b) {
    const auto p = Buffer<float>::from_host(backends[b], points);
    const auto w = Buffer<float>::from_host(backends[b], weights);
    Buffer<std::uint8_t> mask(backends[b], static_cast<std::size_t>(count));
    ms[b] = median_ms(repeat, [&] {
      fits[b] = fit_line(backends[b], p.data(), w.data(), count, LineFitParams{}, mask.data());
    });
    masks[b] = mask.to_host();
  }
  result.cpu_ms = ms[0];
  result.device_ms = ms[1];
  const double tolerance = tolerance_for(device, 1e-6);
  for (int c = 0; c < 3; ++c) {
    result.max_abs_diff = std::fmax(result.max_abs_diff, std::fabs(fits[0].point_mm[c] - fits[1].point_mm[c]));
    result.max_abs_diff = std::fmax(result.max_abs_diff, std::fabs(fits[0].direction[c] - fits[1].direction[c]));
  }
  result.tolerance = "same inliers; point and direction " + tolerance_text(tolerance, "mm");
  result.match = fits[0].found == fits[1].found && fits[0].inlier_count == fits[1].inlier_count &&
                 masks[0] == masks[1] && result.max_abs_diff <= tolerance;
  char text[160];
  std::snprintf(text, sizeof text, "%lld points; found %d/%d, inliers %lld/%lld, max |d| %g",
                static_cast<long long>(count), fits[0].found, fits[1].found,
                static_cast<long long>(fits[0].inlier_count), static_cast<long long>(fits[1].inlier_count),
                result.max_abs_diff);
  result.detail = text;
  std::fprintf(stderr, "  %-26s %s  cpu %9.1f ms  %s %9.1f ms\n", "fit_line", result.match ? "ok  " : "DIFF",
               result.cpu_ms, std::string(backend_name(device)).c_str(), result.device_ms);
  return result;
}

// Sample points on a lattice through the volume, some outside it.
std::vector<float> sample_points(const Grid& g, std::int64_t count) {
  std::vector<float> points;
  points.reserve(static_cast<std::size_t>(3 * count));
  for (std::int64_t k = 0; k < count; ++k) {
    const double u = std::fmod(k * 0.6180339887, 1.0), w = std::fmod(k * 0.7548776662, 1.0),
                 t = std::fmod(k * 0.5698402910, 1.0);
    points.insert(points.end(), {static_cast<float>((u * 1.1 - 0.05) * g.nx * g.sx_mm),
                                 static_cast<float>((w * 1.1 - 0.05) * g.ny * g.sy_mm),
                                 static_cast<float>((t * 1.1 - 0.05) * g.nz * g.sz_mm)});
  }
  return points;
}

}  // namespace

std::vector<CheckResult> check_kernels(const datasets::SmokeVolume& v, Backend device, int repeat) {
  const Grid g = v.grid;
  const std::size_t n = v.hu.size();
  std::vector<CheckResult> out;
  out.push_back(run_pair<std::int16_t, std::uint8_t>(
      "threshold_mask", v.hu, n, device, repeat, 0.0, "", [&](Backend b, const std::int16_t* in, std::uint8_t* o) {
        threshold_mask(b, in, o, g.voxel_count(), HuRange{250, 32767});
      }));
  out.push_back(run_pair<std::int16_t, std::uint8_t>(
      "hysteresis_mask", v.hu, n, device, repeat, 0.0, "", [&](Backend b, const std::int16_t* in, std::uint8_t* o) {
        hysteresis_mask(b, in, o, g, HuRange{-32768, -900}, HuRange{-32768, -500});
      }));
  for (auto [name, connectivity] : {std::pair{"label_components_26", Connectivity::Full26},
                                    std::pair{"label_components_6", Connectivity::Face6},
                                    std::pair{"label_components_slice4", Connectivity::SliceFace4}}) {
    out.push_back(run_pair<std::uint8_t, std::int32_t>(
        name, v.bone_mask, n, device, repeat, 0.0, "", [&](Backend b, const std::uint8_t* in, std::int32_t* o) {
          label_components(b, in, o, g, connectivity);
        }));
  }
  {
    // Statistics of the 26-connected bone components, flattened to numbers.
    std::vector<std::int32_t> labels(n);
    const std::int32_t count = label_components(Backend::Cpu, v.bone_mask.data(), labels.data(), g, Connectivity::Full26);
    CheckResult r;
    r.kind = "kernel";
    r.name = "component_stats";
    std::vector<double> flat[2];
    const Backend backends[2] = {Backend::Cpu, device};
    double ms[2];
    for (int b = 0; b < 2; ++b) {
      const auto d_labels = Buffer<std::int32_t>::from_host(backends[b], labels);
      const auto d_hu = Buffer<std::int16_t>::from_host(backends[b], v.hu);
      std::vector<ComponentStats> stats;
      ms[b] = median_ms(repeat, [&] { stats = component_stats(backends[b], d_labels.data(), d_hu.data(), g, count); });
      for (const auto& s : stats) {
        flat[b].insert(flat[b].end(), {double(s.voxel_count), double(s.intensity_sum), s.centroid_mm[0],
                                       s.centroid_mm[1], s.centroid_mm[2], s.covariance_mm2[0], s.covariance_mm2[5]});
      }
    }
    r.cpu_ms = ms[0];
    r.device_ms = ms[1];
    compare(flat[0], flat[1], 0.0, "", r);  // exact integer moments: identical on any device
    out.push_back(r);
  }
  out.push_back(run_pair<std::uint8_t, std::uint8_t>(
      "dilate_ball_3mm", v.bone_mask, n, device, repeat, 0.0, "",
      [&](Backend b, const std::uint8_t* in, std::uint8_t* o) { dilate_ball(b, in, o, g, 3.f); }));
  out.push_back(run_pair<std::uint8_t, std::uint8_t>(
      "erode_ball_3mm", v.bone_mask, n, device, repeat, 0.0, "",
      [&](Backend b, const std::uint8_t* in, std::uint8_t* o) { erode_ball(b, in, o, g, 3.f); }));
  out.push_back(run_pair<std::uint8_t, std::uint8_t>(
      "fill_holes_3d", v.body_mask, n, device, repeat, 0.0, "",
      [&](Backend b, const std::uint8_t* in, std::uint8_t* o) { fill_holes_3d(b, in, o, g); }));
  out.push_back(run_pair<std::uint8_t, std::uint8_t>(
      "fill_holes_per_slice", v.body_mask, n, device, repeat, 0.0, "",
      [&](Backend b, const std::uint8_t* in, std::uint8_t* o) { fill_holes_per_slice(b, in, o, g); }));
  out.push_back(run_pair<std::uint8_t, float>(
      "distance_to_foreground", v.bone_mask, n, device, repeat, tolerance_for(device, 1e-4), "mm",
      [&](Backend b, const std::uint8_t* in, float* o) { distance_to_foreground(b, in, o, g); }));
  out.push_back(run_pair<std::uint8_t, float>(
      "signed_distance", v.bone_mask, n, device, repeat, tolerance_for(device, 1e-4), "mm",
      [&](Backend b, const std::uint8_t* in, float* o) { signed_distance(b, in, o, g); }));
  {
    const std::int64_t count = 1 << 20;
    const std::vector<float> points = sample_points(g, count);
    const auto d_points = [&](Backend b) { return Buffer<float>::from_host(b, points); };
    auto cpu_points = d_points(Backend::Cpu), dev_points = d_points(device);
    out.push_back(run_pair<std::int16_t, float>(
        "sample_trilinear_1M", v.hu, static_cast<std::size_t>(count), device, repeat, tolerance_for(device, 1e-2), "HU",
        [&](Backend b, const std::int16_t* in, float* o) {
          sample_trilinear(b, in, g, Affine3{}, (b == Backend::Cpu ? cpu_points : dev_points).data(), count, o, -2000.f);
        }));
  }
  out.push_back(run_pair<std::int16_t, float>(
      "ray_profile_4096", v.hu, 4096, device, repeat, tolerance_for(device, 1e-2), "HU",
      [&](Backend b, const std::int16_t* in, float* o) {
        const double start[3] = {10.0, 20.0, 30.0};
        const double direction[3] = {0.6, 0.64, 0.48};
        ray_profile(b, in, g, Affine3{}, start, direction, 0.1, 4096, o, -2000.f);
      }));
  out.push_back(check_line_fit(v, device, repeat));
  return out;
}

}  // namespace sij::gpucheck
