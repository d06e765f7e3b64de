// The device backends give the CPU's answers: identical labels and masks, floats within
// stated tolerances. Instantiated for CUDA (skipped where no GPU is present) and for the
// emulated device (every build), which runs the GPU's configuration through the host
// compiler and so must match the CPU bit for bit (no fused multiply-adds there).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "datasets/SmokeVolume.h"
#include "kernels/ccl/ConnectedComponents.h"
#include "kernels/classify/Hysteresis.h"
#include "kernels/core/Buffer.h"
#include "kernels/edt/DistanceTransform.h"
#include "kernels/linefit/LineFit.h"
#include "kernels/morphology/HoleFilling.h"
#include "kernels/morphology/Morphology.h"
#include "kernels/sampling/Sampling.h"

namespace sij {
namespace {

class BackendParityTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (!backend_available(GetParam())) GTEST_SKIP() << "no CUDA device: nothing to compare";
    volume_ = datasets::make_smoke_volume(Grid{160, 128, 48, 2.2f, 2.2f, 2.5f});
  }
  Backend device() const { return GetParam(); }
  // nvcc contracts multiply-adds; the emulated device's host code does not.
  double float_tolerance(double cuda_tolerance) const {
    return device() == Backend::Cuda ? cuda_tolerance : 0.0;
  }

  // Runs `kernel(backend, input_on_backend, output_on_backend)` on both backends.
  template <class In, class Out, class Kernel>
  std::pair<std::vector<Out>, std::vector<Out>> on_both(const std::vector<In>& input, Kernel kernel) {
    std::vector<Out> results[2];
    const Backend backends[2] = {Backend::Cpu, device()};
    for (int b = 0; b < 2; ++b) {
      auto in = Buffer<In>::from_host(backends[b], input);
      Buffer<Out> out(backends[b], input.size());
      out.fill_bytes(0xFF);
      kernel(backends[b], in.data(), out.data());
      results[b] = out.to_host();
    }
    return {results[0], results[1]};
  }

  datasets::SmokeVolume volume_;
};

TEST_P(BackendParityTest, ConnectedComponentsIdentical) {
  for (auto connectivity : {Connectivity::Face6, Connectivity::Full26, Connectivity::SliceFace4,
                            Connectivity::SliceFull8}) {
    auto [cpu, cuda] = on_both<std::uint8_t, std::int32_t>(
        volume_.bone_mask, [&](Backend b, const std::uint8_t* in, std::int32_t* out) {
          label_components(b, in, out, volume_.grid, connectivity);
        });
    EXPECT_EQ(cpu, cuda);
  }
}

TEST_P(BackendParityTest, MasksIdentical) {
  const Grid g = volume_.grid;
  auto dilate = on_both<std::uint8_t, std::uint8_t>(
      volume_.bone_mask, [&](Backend b, const std::uint8_t* in, std::uint8_t* out) { dilate_ball(b, in, out, g, 3.f); });
  EXPECT_EQ(dilate.first, dilate.second);
  auto erode = on_both<std::uint8_t, std::uint8_t>(
      volume_.bone_mask, [&](Backend b, const std::uint8_t* in, std::uint8_t* out) { erode_ball(b, in, out, g, 3.f); });
  EXPECT_EQ(erode.first, erode.second);
  auto holes = on_both<std::uint8_t, std::uint8_t>(
      volume_.body_mask, [&](Backend b, const std::uint8_t* in, std::uint8_t* out) { fill_holes_3d(b, in, out, g); });
  EXPECT_EQ(holes.first, holes.second);
  auto gas = on_both<std::int16_t, std::uint8_t>(volume_.hu, [&](Backend b, const std::int16_t* in, std::uint8_t* out) {
    hysteresis_mask(b, in, out, g, HuRange{-32768, -900}, HuRange{-32768, -500});
  });
  EXPECT_EQ(gas.first, gas.second);
}

TEST_P(BackendParityTest, DistancesWithinTolerance) {
  auto [cpu, cuda] = on_both<std::uint8_t, float>(
      volume_.bone_mask, [&](Backend b, const std::uint8_t* in, float* out) { signed_distance(b, in, out, volume_.grid); });
  for (std::size_t i = 0; i < cpu.size(); ++i) ASSERT_NEAR(cpu[i], cuda[i], float_tolerance(1e-4)) << "voxel " << i;
}

TEST_P(BackendParityTest, LineFitIdentical) {
  std::vector<float> points, weights;
  for (std::int64_t i = 0; i < volume_.grid.voxel_count(); ++i) {
    if (volume_.hu[i] < 1500) continue;
    std::int32_t x, y, z;
    volume_.grid.coords(i, x, y, z);
    points.insert(points.end(), {x * volume_.grid.sx_mm, y * volume_.grid.sy_mm, z * volume_.grid.sz_mm});
    weights.push_back(volume_.hu[i]);
  }
  LineFitResult fits[2];
  const Backend backends[2] = {Backend::Cpu, device()};
  for (int b = 0; b < 2; ++b) {
    auto p = Buffer<float>::from_host(backends[b], points);
    auto w = Buffer<float>::from_host(backends[b], weights);
    fits[b] = fit_line(backends[b], p.data(), w.data(), static_cast<std::int64_t>(weights.size()),
                       LineFitParams{}, nullptr);
  }
  ASSERT_EQ(fits[0].found, fits[1].found);
  EXPECT_EQ(fits[0].inlier_count, fits[1].inlier_count);
  for (int k = 0; k < 3; ++k) {
    EXPECT_NEAR(fits[0].direction[k], fits[1].direction[k], float_tolerance(1e-9));
    EXPECT_NEAR(fits[0].point_mm[k], fits[1].point_mm[k], float_tolerance(1e-6));
  }
}

INSTANTIATE_TEST_SUITE_P(Devices, BackendParityTest,
                         ::testing::Values(Backend::Cuda, Backend::Emulated),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return std::string(backend_name(info.param));
                         });

}  // namespace
}  // namespace sij
