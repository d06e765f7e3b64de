// Every kernel on the realistic 512x512x300 pelvis volume, each beside its ITK counterpart
// in the same run (same data, same threads), reporting voxels per second.
//
//   build/bench/sijtrack_bench --benchmark_filter=...    (scripts/perf_table.py makes the table)
#include <benchmark/benchmark.h>

#include <itkBinaryBallStructuringElement.h>
#include <itkBinaryDilateImageFilter.h>
#include <itkBinaryErodeImageFilter.h>
#include <itkBinaryFillholeImageFilter.h>
#include <itkBinaryThresholdImageFilter.h>
#include <itkConnectedComponentImageFilter.h>
#include <itkLabelStatisticsImageFilter.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkSignedMaurerDistanceMapImageFilter.h>

#include <cmath>
#include <random>

#include "BenchVolume.h"
#include "ItkImages.h"
#include "kernels/ccl/ConnectedComponents.h"
#include "kernels/classify/Classify.h"
#include "kernels/classify/Hysteresis.h"
#include "kernels/core/Buffer.h"
#include "kernels/edt/DistanceTransform.h"
#include "kernels/linefit/LineFit.h"
#include "kernels/morphology/HoleFilling.h"
#include "kernels/morphology/Morphology.h"
#include "kernels/sampling/Sampling.h"

namespace sij::bench {
namespace {

using MaskImage = itk::Image<std::uint8_t, 3>;
using HuImage = itk::Image<std::int16_t, 3>;
using LabelImage = itk::Image<std::int32_t, 3>;

constexpr float kMorphologyRadiusMm = 2.0f;

void set_voxel_rate(benchmark::State& state) {
  const auto voxels = pelvis_volume().grid.voxel_count();
  state.SetItemsProcessed(state.iterations() * voxels);
  state.counters["Mvoxels_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * voxels / 1e6, benchmark::Counter::kIsRate);
}

const MaskImage::Pointer& itk_bone_mask() {
  static const auto image = to_itk_image(pelvis_volume().bone_mask, pelvis_volume().grid);
  return image;
}
const MaskImage::Pointer& itk_body_mask() {
  static const auto image = to_itk_image(pelvis_volume().body_mask, pelvis_volume().grid);
  return image;
}
const HuImage::Pointer& itk_hu() {
  static const auto image = to_itk_image(pelvis_volume().hu, pelvis_volume().grid);
  return image;
}

// ---- Threshold ---------------------------------------------------------------------------------
void BM_Threshold_sijtrack(benchmark::State& state) {
  const auto& v = pelvis_volume();
  auto hu = Buffer<std::int16_t>::from_host(Backend::Cpu, v.hu);
  Buffer<std::uint8_t> mask(Backend::Cpu, v.hu.size());
  for (auto _ : state) {
    threshold_mask(Backend::Cpu, hu.data(), mask.data(), v.grid.voxel_count(), HuRange{250, 32767});
    benchmark::DoNotOptimize(mask.data());
  }
  set_voxel_rate(state);
}
void BM_Threshold_itk(benchmark::State& state) {
  for (auto _ : state) {
    auto filter = itk::BinaryThresholdImageFilter<HuImage, MaskImage>::New();
    filter->SetInput(itk_hu());
    filter->SetLowerThreshold(250);
    filter->SetUpperThreshold(32767);
    filter->Update();
    benchmark::DoNotOptimize(filter->GetOutput()->GetBufferPointer());
  }
  set_voxel_rate(state);
}

// ---- Connected components ------------------------------------------------------------------
void BM_CCL_sijtrack(benchmark::State& state) {
  const auto& v = pelvis_volume();
  const auto connectivity = state.range(0) == 26 ? Connectivity::Full26 : Connectivity::Face6;
  auto mask = Buffer<std::uint8_t>::from_host(Backend::Cpu, v.bone_mask);
  Buffer<std::int32_t> labels(Backend::Cpu, v.bone_mask.size());
  std::int32_t count = 0;
  for (auto _ : state) {
    count = label_components(Backend::Cpu, mask.data(), labels.data(), v.grid, connectivity);
    benchmark::DoNotOptimize(labels.data());
  }
  state.counters["components"] = count;
  set_voxel_rate(state);
}
void BM_CCL_itk(benchmark::State& state) {
  std::int64_t count = 0;
  for (auto _ : state) {
    auto filter = itk::ConnectedComponentImageFilter<MaskImage, LabelImage>::New();
    filter->SetInput(itk_bone_mask());
    filter->SetFullyConnected(state.range(0) == 26);
    filter->Update();
    count = filter->GetObjectCount();
  }
  state.counters["components"] = static_cast<double>(count);
  set_voxel_rate(state);
}

// ---- Component statistics --------------------------------------------------------------------
const std::vector<std::int32_t>& bone_labels(std::int32_t& count) {
  static std::int32_t stored_count = 0;
  static const std::vector<std::int32_t> labels = [] {
    const auto& v = pelvis_volume();
    auto mask = Buffer<std::uint8_t>::from_host(Backend::Cpu, v.bone_mask);
    Buffer<std::int32_t> out(Backend::Cpu, v.bone_mask.size());
    stored_count = label_components(Backend::Cpu, mask.data(), out.data(), v.grid, Connectivity::Full26);
    return out.to_host();
  }();
  count = stored_count;
  return labels;
}
void BM_ComponentStats_sijtrack(benchmark::State& state) {
  const auto& v = pelvis_volume();
  std::int32_t count = 0;
  const auto& host_labels = bone_labels(count);
  auto labels = Buffer<std::int32_t>::from_host(Backend::Cpu, host_labels);
  auto hu = Buffer<std::int16_t>::from_host(Backend::Cpu, v.hu);
  for (auto _ : state) {
    auto stats = component_stats(Backend::Cpu, labels.data(), hu.data(), v.grid, count);
    benchmark::DoNotOptimize(stats.data());
  }
  set_voxel_rate(state);
}
void BM_ComponentStats_itk(benchmark::State& state) {
  std::int32_t count = 0;
  const auto labels = to_itk_image(bone_labels(count), pelvis_volume().grid);
  for (auto _ : state) {
    auto filter = itk::LabelStatisticsImageFilter<HuImage, LabelImage>::New();
    filter->SetInput(itk_hu());
    filter->SetLabelInput(labels);
    filter->Update();
    benchmark::DoNotOptimize(filter->GetNumberOfLabels());
  }
  set_voxel_rate(state);
}

// ---- Distance transform ---------------------------------------------------------------------
void BM_SignedEDT_sijtrack(benchmark::State& state) {
  const auto& v = pelvis_volume();
  auto mask = Buffer<std::uint8_t>::from_host(Backend::Cpu, v.bone_mask);
  Buffer<float> dist(Backend::Cpu, v.bone_mask.size());
  for (auto _ : state) {
    signed_distance(Backend::Cpu, mask.data(), dist.data(), v.grid);
    benchmark::DoNotOptimize(dist.data());
  }
  set_voxel_rate(state);
}
void BM_SignedEDT_itk(benchmark::State& state) {
  for (auto _ : state) {
    auto filter = itk::SignedMaurerDistanceMapImageFilter<MaskImage, itk::Image<float, 3>>::New();
    filter->SetInput(itk_bone_mask());
    filter->SetUseImageSpacing(true);
    filter->SetSquaredDistance(false);
    filter->SetInsideIsPositive(false);
    filter->Update();
    benchmark::DoNotOptimize(filter->GetOutput()->GetBufferPointer());
  }
  set_voxel_rate(state);
}

// ---- Morphology ----------------------------------------------------------------------------------
using Ball = itk::BinaryBallStructuringElement<std::uint8_t, 3>;
Ball itk_ball_for_radius_mm(float radius_mm) {
  const Grid& g = pelvis_volume().grid;
  Ball ball;
  Ball::SizeType radius;
  radius[0] = static_cast<unsigned>(std::lround(radius_mm / g.sx_mm));
  radius[1] = static_cast<unsigned>(std::lround(radius_mm / g.sy_mm));
  radius[2] = static_cast<unsigned>(std::lround(radius_mm / g.sz_mm));
  ball.SetRadius(radius);
  ball.CreateStructuringElement();
  return ball;
}

void BM_Dilate_sijtrack(benchmark::State& state) {
  const auto& v = pelvis_volume();
  auto mask = Buffer<std::uint8_t>::from_host(Backend::Cpu, v.bone_mask);
  Buffer<std::uint8_t> out(Backend::Cpu, v.bone_mask.size());
  for (auto _ : state) {
    dilate_ball(Backend::Cpu, mask.data(), out.data(), v.grid, kMorphologyRadiusMm);
    benchmark::DoNotOptimize(out.data());
  }
  set_voxel_rate(state);
}
void BM_Dilate_itk(benchmark::State& state) {
  const auto ball = itk_ball_for_radius_mm(kMorphologyRadiusMm);
  for (auto _ : state) {
    auto filter = itk::BinaryDilateImageFilter<MaskImage, MaskImage, Ball>::New();
    filter->SetInput(itk_bone_mask());
    filter->SetKernel(ball);
    filter->SetDilateValue(1);
    filter->Update();
    benchmark::DoNotOptimize(filter->GetOutput()->GetBufferPointer());
  }
  set_voxel_rate(state);
}
void BM_Erode_sijtrack(benchmark::State& state) {
  const auto& v = pelvis_volume();
  auto mask = Buffer<std::uint8_t>::from_host(Backend::Cpu, v.bone_mask);
  Buffer<std::uint8_t> out(Backend::Cpu, v.bone_mask.size());
  for (auto _ : state) {
    erode_ball(Backend::Cpu, mask.data(), out.data(), v.grid, kMorphologyRadiusMm);
    benchmark::DoNotOptimize(out.data());
  }
  set_voxel_rate(state);
}
void BM_Erode_itk(benchmark::State& state) {
  const auto ball = itk_ball_for_radius_mm(kMorphologyRadiusMm);
  for (auto _ : state) {
    auto filter = itk::BinaryErodeImageFilter<MaskImage, MaskImage, Ball>::New();
    filter->SetInput(itk_bone_mask());
    filter->SetKernel(ball);
    filter->SetErodeValue(1);
    filter->Update();
    benchmark::DoNotOptimize(filter->GetOutput()->GetBufferPointer());
  }
  set_voxel_rate(state);
}

// ---- Hole filling ------------------------------------------------------------------------------
void BM_FillHoles3D_sijtrack(benchmark::State& state) {
  const auto& v = pelvis_volume();
  auto mask = Buffer<std::uint8_t>::from_host(Backend::Cpu, v.body_mask);
  Buffer<std::uint8_t> out(Backend::Cpu, v.body_mask.size());
  for (auto _ : state) {
    fill_holes_3d(Backend::Cpu, mask.data(), out.data(), v.grid);
    benchmark::DoNotOptimize(out.data());
  }
  set_voxel_rate(state);
}
void BM_FillHoles3D_itk(benchmark::State& state) {
  for (auto _ : state) {
    auto filter = itk::BinaryFillholeImageFilter<MaskImage>::New();
    filter->SetInput(itk_body_mask());
    filter->SetForegroundValue(1);
    filter->SetFullyConnected(false);
    filter->Update();
    benchmark::DoNotOptimize(filter->GetOutput()->GetBufferPointer());
  }
  set_voxel_rate(state);
}
void BM_FillHolesPerSlice_sijtrack(benchmark::State& state) {
  const auto& v = pelvis_volume();
  auto mask = Buffer<std::uint8_t>::from_host(Backend::Cpu, v.body_mask);
  Buffer<std::uint8_t> out(Backend::Cpu, v.body_mask.size());
  for (auto _ : state) {
    fill_holes_per_slice(Backend::Cpu, mask.data(), out.data(), v.grid);
    benchmark::DoNotOptimize(out.data());
  }
  set_voxel_rate(state);
}

// ---- Hysteresis (gas core -900 HU, edge -500 HU) --------------------------------------------
void BM_HysteresisGas_sijtrack(benchmark::State& state) {
  const auto& v = pelvis_volume();
  auto hu = Buffer<std::int16_t>::from_host(Backend::Cpu, v.hu);
  Buffer<std::uint8_t> out(Backend::Cpu, v.hu.size());
  for (auto _ : state) {
    hysteresis_mask(Backend::Cpu, hu.data(), out.data(), v.grid, HuRange{-32768, -900},
                    HuRange{-32768, -500});
    benchmark::DoNotOptimize(out.data());
  }
  set_voxel_rate(state);
}

// ---- Trilinear sampling: one million points inside the volume --------------------------------
std::vector<float> random_points_mm(std::size_t count) {
  const Grid& g = pelvis_volume().grid;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> ux(0.f, (g.nx - 1) * g.sx_mm), uy(0.f, (g.ny - 1) * g.sy_mm),
      uz(0.f, (g.nz - 1) * g.sz_mm);
  std::vector<float> points(3 * count);
  for (std::size_t i = 0; i < count; ++i) {
    points[3 * i] = ux(rng);
    points[3 * i + 1] = uy(rng);
    points[3 * i + 2] = uz(rng);
  }
  return points;
}
constexpr std::size_t kSamplePoints = 1 << 20;

void BM_Trilinear_sijtrack(benchmark::State& state) {
  const auto& v = pelvis_volume();
  auto hu = Buffer<std::int16_t>::from_host(Backend::Cpu, v.hu);
  auto points = Buffer<float>::from_host(Backend::Cpu, random_points_mm(kSamplePoints));
  Buffer<float> values(Backend::Cpu, kSamplePoints);
  for (auto _ : state) {
    sample_trilinear(Backend::Cpu, hu.data(), v.grid, Affine3{}, points.data(), kSamplePoints,
                     values.data(), -1024.f);
    benchmark::DoNotOptimize(values.data());
  }
  state.SetItemsProcessed(state.iterations() * kSamplePoints);
}
void BM_Trilinear_itk(benchmark::State& state) {
  auto interpolator = itk::LinearInterpolateImageFunction<HuImage, double>::New();
  interpolator->SetInputImage(itk_hu());
  const auto points = random_points_mm(kSamplePoints);
  std::vector<float> values(kSamplePoints);
  const std::int64_t n = kSamplePoints;
  for (auto _ : state) {
    // Same threads as the sijtrack kernel: Evaluate is const and thread-safe.
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) {
      itk::Point<double, 3> p;
      p[0] = points[3 * i];
      p[1] = points[3 * i + 1];
      p[2] = points[3 * i + 2];
      values[i] = static_cast<float>(interpolator->Evaluate(p));
    }
    benchmark::DoNotOptimize(values.data());
  }
  state.SetItemsProcessed(state.iterations() * kSamplePoints);
}

// ---- Line fit on the needle's metal voxels (no ITK counterpart) ---------------------------------
void BM_LineFit_sijtrack(benchmark::State& state) {
  const auto& v = pelvis_volume();
  std::vector<float> points, weights;
  for (std::int64_t i = 0; i < v.grid.voxel_count(); ++i) {
    if (v.hu[i] < 2000) continue;
    std::int32_t x, y, z;
    v.grid.coords(i, x, y, z);
    points.insert(points.end(), {x * v.grid.sx_mm, y * v.grid.sy_mm, z * v.grid.sz_mm});
    weights.push_back(static_cast<float>(v.hu[i]));
  }
  const auto count = static_cast<std::int64_t>(weights.size());
  auto d_points = Buffer<float>::from_host(Backend::Cpu, points);
  auto d_weights = Buffer<float>::from_host(Backend::Cpu, weights);
  for (auto _ : state) {
    auto fit = fit_line(Backend::Cpu, d_points.data(), d_weights.data(), count, LineFitParams{}, nullptr);
    benchmark::DoNotOptimize(fit);
  }
  state.counters["points"] = static_cast<double>(count);
}

#define SIJ_PAIR(name) \
  BENCHMARK(BM_##name##_sijtrack)->Unit(benchmark::kMillisecond)->UseRealTime(); \
  BENCHMARK(BM_##name##_itk)->Unit(benchmark::kMillisecond)->UseRealTime()

SIJ_PAIR(Threshold);
BENCHMARK(BM_CCL_sijtrack)->Arg(6)->Arg(26)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CCL_itk)->Arg(6)->Arg(26)->Unit(benchmark::kMillisecond)->UseRealTime();
SIJ_PAIR(ComponentStats);
SIJ_PAIR(SignedEDT);
SIJ_PAIR(Dilate);
SIJ_PAIR(Erode);
SIJ_PAIR(FillHoles3D);
BENCHMARK(BM_FillHolesPerSlice_sijtrack)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_HysteresisGas_sijtrack)->Unit(benchmark::kMillisecond)->UseRealTime();
SIJ_PAIR(Trilinear);
BENCHMARK(BM_LineFit_sijtrack)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace sij::bench
