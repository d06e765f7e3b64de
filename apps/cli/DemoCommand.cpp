// `sijtrack demo`: the main job on an embedded example until the phantom generator exists.
//
// It builds the SMOKE VOLUME (a pelvis made by formula, not a recorded procedure), runs every
// kernel of the foundation on it and prints what they found. Nothing here is an accuracy
// claim: it proves the build, the backend and the kernels run end to end.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "apps/cli/Commands.h"
#include "datasets/SmokeVolume.h"
#include "kernels/ccl/ConnectedComponents.h"
#include "kernels/classify/Classify.h"
#include "kernels/classify/Hysteresis.h"
#include "kernels/core/Buffer.h"
#include "kernels/edt/DistanceTransform.h"
#include "kernels/linefit/LineFit.h"
#include "kernels/morphology/HoleFilling.h"
#include "kernels/morphology/Morphology.h"

namespace sij::cli {
namespace {

struct DemoOptions {
  int slices = 120;
  std::string json_path;
  std::string backend = "auto";
};

class StageTimer {
 public:
  explicit StageTimer(nlohmann::json& timings) : timings_(timings) {}
  template <class F>
  auto run(const char* stage, F&& work) {
    const auto start = std::chrono::steady_clock::now();
    auto result = work();
    timings_[stage] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return result;
  }

 private:
  nlohmann::json& timings_;
};

double voxel_volume_ml(const Grid& g) { return g.sx_mm * g.sy_mm * g.sz_mm / 1000.0; }

int run_demo(const DemoOptions& options) {
  const Backend backend = backend_from_name(options.backend);
  std::printf("sijtrack demo on the SMOKE VOLUME (a formula pelvis, not a recorded procedure)\n");
  std::printf("backend: %s\n", std::string(backend_name(backend)).c_str());

  nlohmann::json report;
  report["schema"] = "sijtrack.demo/1";
  report["input"] = "smoke volume (synthetic, no ground truth)";
  report["backend"] = backend_name(backend);
  nlohmann::json& timings = report["timings_ms"];
  StageTimer timer(timings);

  const Grid grid{512, 512, options.slices, 0.7f, 0.7f, 1.25f};
  const auto volume = timer.run("generate", [&] { return datasets::make_smoke_volume(grid); });
  const std::size_t n = volume.hu.size();
  auto hu = Buffer<std::int16_t>::from_host(backend, volume.hu);

  // Body: soft tissue and denser, holes filled slice by slice (gas inside the body stays body).
  Buffer<std::uint8_t> raw_body(backend, n), body(backend, n);
  timer.run("body", [&] {
    threshold_mask(backend, hu.data(), raw_body.data(), grid.voxel_count(), HuRange{-400, 32767});
    fill_holes_per_slice(backend, raw_body.data(), body.data(), grid);
    return 0;
  });

  // Bone components: the sacrum and the two ilia should be the largest.
  Buffer<std::uint8_t> bone(backend, n);
  Buffer<std::int32_t> labels(backend, n);
  const auto bone_components = timer.run("bone_components", [&] {
    threshold_mask(backend, hu.data(), bone.data(), grid.voxel_count(), HuRange{250, 1999});
    const auto count = label_components(backend, bone.data(), labels.data(), grid, Connectivity::Full26);
    return component_stats(backend, labels.data(), hu.data(), grid, count);
  });
  std::vector<ComponentStats> largest = bone_components;
  std::sort(largest.begin(), largest.end(),
            [](const auto& a, const auto& b) { return a.voxel_count > b.voxel_count; });
  largest.resize(std::min<std::size_t>(largest.size(), 3));

  // Distance to bone: how far the needle's deepest point is from bone.
  Buffer<float> bone_distance(backend, n);
  timer.run("bone_distance", [&] {
    signed_distance(backend, bone.data(), bone_distance.data(), grid);
    return 0;
  });

  // Gas by hysteresis (core -900 HU, edge -500 HU), inside the body only.
  Buffer<std::uint8_t> gas(backend, n);
  const double gas_ml = timer.run("gas", [&] {
    hysteresis_mask(backend, hu.data(), gas.data(), grid, HuRange{-32768, -900}, HuRange{-32768, -500});
    const auto gas_host = gas.to_host();
    const auto body_host = body.to_host();
    std::int64_t voxels = 0;
    for (std::size_t i = 0; i < n; ++i) voxels += gas_host[i] && body_host[i];
    return voxels * voxel_volume_ml(grid);
  });

  // Needle: metal voxels, RANSAC + weighted PCA line.
  const auto needle = timer.run("needle", [&] {
    std::vector<float> points, weights;
    for (std::size_t i = 0; i < n; ++i) {
      if (volume.hu[i] < 2000) continue;
      std::int32_t x, y, z;
      grid.coords(static_cast<std::int64_t>(i), x, y, z);
      points.insert(points.end(), {x * grid.sx_mm, y * grid.sy_mm, z * grid.sz_mm});
      weights.push_back(static_cast<float>(volume.hu[i]));
    }
    auto d_points = Buffer<float>::from_host(backend, points);
    auto d_weights = Buffer<float>::from_host(backend, weights);
    return fit_line(backend, d_points.data(), d_weights.data(),
                    static_cast<std::int64_t>(weights.size()), LineFitParams{}, nullptr);
  });

  std::printf("\nbody voxels (holes filled per slice) and bone components:\n");
  for (std::size_t k = 0; k < largest.size(); ++k) {
    const auto& c = largest[k];
    std::printf("  bone %zu: %.1f mL, centroid (%.1f, %.1f, %.1f) mm, mean %.0f HU\n", k + 1,
                c.voxel_count * voxel_volume_ml(grid), c.centroid_mm[0], c.centroid_mm[1],
                c.centroid_mm[2], static_cast<double>(c.intensity_sum) / c.voxel_count);
    report["bones"].push_back({{"volume_ml", c.voxel_count * voxel_volume_ml(grid)},
                               {"centroid_mm", c.centroid_mm}});
  }
  std::printf("gas inside the body: %.2f mL\n", gas_ml);
  report["gas_ml"] = gas_ml;
  if (needle.found) {
    const double* p = needle.point_mm;
    const double* d = needle.direction;
    std::printf("needle line: %lld metal voxels, direction (%.3f, %.3f, %.3f), length %.1f mm, rms %.2f mm\n",
                static_cast<long long>(needle.inlier_count), d[0], d[1], d[2],
                needle.extent_max_mm - needle.extent_min_mm, needle.rms_distance_mm);
    report["needle"] = {{"point_mm", std::vector<double>(p, p + 3)}, {"direction", std::vector<double>(d, d + 3)},
                        {"length_mm", needle.extent_max_mm - needle.extent_min_mm}};
  } else {
    std::printf("needle: none found\n");
    report["needle"] = nullptr;
  }
  std::printf("\ntimings (ms):");
  for (const auto& [stage, ms] : timings.items()) std::printf(" %s %.0f", stage.c_str(), ms.get<double>());
  std::printf("\n");

  if (!options.json_path.empty()) {
    std::ofstream out(options.json_path);
    out << report.dump(2) << "\n";
    if (!out) throw std::runtime_error("cannot write " + options.json_path);
    std::printf("report written to %s\n", options.json_path.c_str());
  }
  return 0;
}

}  // namespace

void register_demo(CLI::App& app) {
  static DemoOptions options;
  auto* cmd = app.add_subcommand("demo", "Run every kernel on the built-in smoke volume (no input needed)");
  cmd->add_option("--slices", options.slices, "Number of 1.25 mm slices (512x512 each)")
      ->check(CLI::Range(1, 2000));
  cmd->add_option("--json", options.json_path, "Write the demo report as JSON");
  cmd->add_option("--backend", options.backend, "auto, cpu, cuda or emulated");
  cmd->callback([] { set_exit_code(run_demo(options)); });
}

}  // namespace sij::cli
