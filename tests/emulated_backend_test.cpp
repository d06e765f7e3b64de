// The emulated device backend: host access to its memory crashes as on a GPU, copies and
// allocations are counted, launches follow the CUDA backend's shape in a shuffled block order.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdint>
#include <vector>

#include "kernels/core/Backend.h"
#include "kernels/core/Buffer.h"
#include "kernels/core/Emulated.h"
#include "kernels/core/ExecEmu.h"
#include "kernels/core/LaunchShape.h"

namespace sij {
namespace {

// Reads through a volatile pointer so the compiler cannot drop the access.
int host_read(const Buffer<std::int32_t>& buffer) {
  const volatile std::int32_t* p = buffer.data();
  return p[0];
}

class EmulatedBackendDeathTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(EmulatedBackendDeathTest, HostReadOfDeviceMemoryIsSigsegv) {
  const auto buffer = Buffer<std::int32_t>::from_host(Backend::Emulated, std::vector<std::int32_t>{7, 8});
  EXPECT_EXIT(host_read(buffer), ::testing::KilledBySignal(SIGSEGV),
              "host code touched emulated device memory");
}

TEST_F(EmulatedBackendDeathTest, HostWriteOfDeviceMemoryIsSigsegv) {
  Buffer<std::int32_t> buffer(Backend::Emulated, 1000);
  EXPECT_EXIT(
      {
        volatile std::int32_t* p = buffer.data();
        p[999] = 1;
      },
      ::testing::KilledBySignal(SIGSEGV), "host code touched emulated device memory");
}

TEST_F(EmulatedBackendDeathTest, IndexingAnEmulatedBufferOnTheHostIsSigsegv) {
  Buffer<std::int32_t> buffer(Backend::Emulated, 4);
  buffer.fill_bytes(0);
  EXPECT_EXIT(
      {
        const volatile std::int32_t value = buffer[2];
        (void)value;
      },
      ::testing::KilledBySignal(SIGSEGV), "emulated device memory");
}

TEST_F(EmulatedBackendDeathTest, HostReadAfterALaunchStillCrashes) {
  Buffer<std::int32_t> buffer(Backend::Emulated, 512);
  std::int32_t* d = buffer.data();
  EmuExec{}.parallel_for(512, [d](std::int64_t i) { d[i] = static_cast<std::int32_t>(i); });
  EXPECT_EXIT(host_read(buffer), ::testing::KilledBySignal(SIGSEGV), "emulated device memory");
}

TEST(EmulatedBackend, CopiesRoundTripAndAreCounted) {
  const std::vector<std::int32_t> values{1, -2, 3, 40000, 5};
  reset_emulated_counters();
  const auto device = Buffer<std::int32_t>::from_host(Backend::Emulated, values);
  EXPECT_TRUE(is_emulated_device_pointer(device.data()));
  EXPECT_FALSE(is_emulated_device_pointer(values.data()));
  EXPECT_EQ(device.to_host(), values);
  Buffer<std::int32_t> copy(Backend::Emulated, values.size());
  backend_copy(Backend::Emulated, copy.data(), Backend::Emulated, device.data(), device.bytes());
  EXPECT_EQ(copy.to_host(), values);

  const EmulatedCounters c = emulated_counters();
  EXPECT_EQ(c.allocations, 2u);
  EXPECT_EQ(c.allocated_bytes, 2 * values.size() * sizeof(std::int32_t));
  EXPECT_EQ(c.host_to_device_bytes, values.size() * sizeof(std::int32_t));
  EXPECT_EQ(c.host_to_device_copies, 1u);
  EXPECT_EQ(c.device_to_host_bytes, 2 * values.size() * sizeof(std::int32_t));
  EXPECT_EQ(c.device_to_host_copies, 2u);
  EXPECT_EQ(c.device_to_device_bytes, values.size() * sizeof(std::int32_t));
  EXPECT_GE(c.peak_live_bytes, 2 * values.size() * sizeof(std::int32_t));
}

TEST(EmulatedBackend, FreesAreCountedAndLiveBytesReturn) {
  const std::uint64_t live_before = emulated_counters().live_bytes;
  reset_emulated_counters();
  {
    Buffer<double> a(Backend::Emulated, 100);
    Buffer<double> b(Backend::Emulated, 0);
    EXPECT_EQ(emulated_counters().live_bytes, live_before + 800 + 1);  // empty: one byte
    a.fill_bytes(0);
    EXPECT_EQ(emulated_counters().memset_bytes, 800u);
  }
  const EmulatedCounters c = emulated_counters();
  EXPECT_EQ(c.allocations, 2u);
  EXPECT_EQ(c.frees, 2u);
  EXPECT_EQ(c.live_bytes, live_before);
}

TEST(EmulatedBackend, LaunchVisitsEveryItemOnceWithTheCudaShape) {
  // Big enough for the 65536-block cap, so the grid-stride loop takes several steps.
  const std::int64_t n = kCudaMaxBlocks * kCudaThreadsPerBlock * 2 + 77;
  Buffer<std::uint8_t> visits(Backend::Emulated, static_cast<std::size_t>(n));
  visits.fill_bytes(0);
  std::uint8_t* v = visits.data();
  const std::uint64_t launches = emulated_counters().launches;
  EmuExec{}.parallel_for(n, [v](std::int64_t i) { v[i] += 1; });
  EXPECT_EQ(emulated_counters().launches, launches + 1);
  const auto host = visits.to_host();
  for (std::int64_t i = 0; i < n; ++i) ASSERT_EQ(host[i], 1) << "item " << i;
  const LaunchShape shape = cuda_launch_shape(n);
  EXPECT_EQ(shape.blocks, kCudaMaxBlocks);
  EXPECT_EQ(shape.threads, kCudaThreadsPerBlock);
  EXPECT_EQ(cuda_launch_shape(1).blocks, 1);
  EXPECT_EQ(cuda_launch_shape(257).blocks, 2);
  EXPECT_EQ(cuda_launch_shape(0).blocks, 0);
}

TEST(EmulatedBackend, BlocksRunInAShuffledOrder) {
  const std::int64_t blocks = 64;
  const auto order = detail::shuffled_block_order(blocks, 12345);
  std::vector<int> seen(blocks, 0);
  for (std::int64_t b : order) seen[b] += 1;
  for (int count : seen) EXPECT_EQ(count, 1);  // a permutation
  std::int64_t in_place = 0;
  for (std::int64_t b = 0; b < blocks; ++b) in_place += order[b] == b ? 1 : 0;
  EXPECT_LT(in_place, blocks / 4);  // not the identity (expected about 1 fixed point)
  EXPECT_NE(order, detail::shuffled_block_order(blocks, 12346));
  EXPECT_EQ(order, detail::shuffled_block_order(blocks, 12345));  // reproducible
}

TEST(EmulatedBackend, UsesTheGpuConfigurationAndIsNeverTheDefault) {
  static_assert(EmuExec::gpu_configuration);
  static_assert(EmuExec::backend == Backend::Emulated);
  EXPECT_TRUE(backend_available(Backend::Emulated));
  EXPECT_EQ(backend_name(Backend::Emulated), "emulated");
  const auto compiled = compiled_backends();
  EXPECT_EQ(compiled.back(), Backend::Emulated);
  EXPECT_NE(default_backend(), Backend::Emulated);
}

TEST(EmulatedBackend, CopyToTheCudaBackendIsRefused) {
  if (!cuda_compiled()) GTEST_SKIP() << "no CUDA backend in this build";
  Buffer<std::int32_t> device(Backend::Emulated, 4);
  std::int32_t fake[4] = {};
  EXPECT_THROW(backend_copy(Backend::Cuda, fake, Backend::Emulated, device.data(), sizeof(fake)),
               std::runtime_error);
}

}  // namespace
}  // namespace sij
