// The emulated device's memory: one PROT_NONE anonymous mapping per allocation, opened for
// the duration of launches and copies (Emulated.h), and the traffic counters.
#include "kernels/core/Emulated.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>

namespace sij {
namespace {

struct Region {
  std::size_t bytes = 0;   // what was asked for
  std::size_t mapped = 0;  // whole pages
};

struct Registry {
  std::mutex mutex;
  std::map<std::uintptr_t, Region> regions;  // by start address
  int open_scopes = 0;
};

// Never destroyed: buffers with static storage may be freed after main returns.
Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}

struct AtomicCounters {
  std::atomic<std::uint64_t> host_to_device_bytes{0}, device_to_host_bytes{0},
      device_to_device_bytes{0}, host_to_device_copies{0}, device_to_host_copies{0},
      memset_bytes{0}, allocations{0}, frees{0}, allocated_bytes{0}, live_bytes{0},
      peak_live_bytes{0}, launches{0};
};

AtomicCounters& counters() {
  static AtomicCounters* c = new AtomicCounters;
  return *c;
}

std::size_t page_bytes() {
  static const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "sijtrack emulated backend: %s failed: %s\n", what, std::strerror(errno));
  std::abort();
}

void protect(std::uintptr_t start, const Region& region, int prot) {
  if (mprotect(reinterpret_cast<void*>(start), region.mapped, prot) != 0) die("mprotect");
}

// --- The SIGSEGV message -----------------------------------------------------------------------
struct sigaction g_previous_segv;

void write_text(const char* text) {
  const ssize_t ignored = write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
}

void write_hex(std::uintptr_t value) {
  char digits[2 + 2 * sizeof(value) + 1];
  digits[0] = '0';
  digits[1] = 'x';
  for (std::size_t i = 0; i < 2 * sizeof(value); ++i) {
    const unsigned nibble = (value >> (4 * (2 * sizeof(value) - 1 - i))) & 0xF;
    digits[2 + i] = static_cast<char>(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
  }
  digits[sizeof(digits) - 1] = '\0';
  write_text(digits);
}

// Says which emulated allocation the host touched, then restores the previous handler: the
// faulting access runs again and takes the default action (or the previous handler's).
void on_segv(int, siginfo_t* info, void*) {
  const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
  Registry& r = registry();
  bool found = false;
  std::uintptr_t start = 0;
  if (r.mutex.try_lock()) {  // never blocks in a signal handler
    auto it = r.regions.upper_bound(address);
    if (it != r.regions.begin()) {
      --it;
      if (address < it->first + it->second.mapped) {
        found = true;
        start = it->first;
      }
    }
    r.mutex.unlock();
  }
  if (found) {
    write_text("sijtrack emulated backend: host code touched emulated device memory at ");
    write_hex(address);
    write_text(" (allocation at ");
    write_hex(start);
    write_text(") outside a kernel launch or copy; on a GPU this is a host access to device "
               "memory\n");
  }
  sigaction(SIGSEGV, &g_previous_segv, nullptr);
}

void install_segv_message_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action;
    std::memset(&action, 0, sizeof(action));
    action.sa_sigaction = on_segv;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &g_previous_segv);
  });
}

bool is_device(Backend backend) { return backend == Backend::Emulated; }

}  // namespace

EmulatedCounters emulated_counters() {
  const AtomicCounters& c = counters();
  EmulatedCounters out;
  out.host_to_device_bytes = c.host_to_device_bytes.load();
  out.device_to_host_bytes = c.device_to_host_bytes.load();
  out.device_to_device_bytes = c.device_to_device_bytes.load();
  out.host_to_device_copies = c.host_to_device_copies.load();
  out.device_to_host_copies = c.device_to_host_copies.load();
  out.memset_bytes = c.memset_bytes.load();
  out.allocations = c.allocations.load();
  out.frees = c.frees.load();
  out.allocated_bytes = c.allocated_bytes.load();
  out.live_bytes = c.live_bytes.load();
  out.peak_live_bytes = c.peak_live_bytes.load();
  out.launches = c.launches.load();
  return out;
}

void reset_emulated_counters() {
  AtomicCounters& c = counters();
  for (auto* counter : {&c.host_to_device_bytes, &c.device_to_host_bytes, &c.device_to_device_bytes,
                        &c.host_to_device_copies, &c.device_to_host_copies, &c.memset_bytes,
                        &c.allocations, &c.frees, &c.allocated_bytes, &c.launches}) {
    counter->store(0);
  }
  c.peak_live_bytes.store(c.live_bytes.load());
}

bool is_emulated_device_pointer(const void* ptr) {
  const auto address = reinterpret_cast<std::uintptr_t>(ptr);
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.regions.upper_bound(address);
  if (it == r.regions.begin()) return false;
  --it;
  return address < it->first + it->second.bytes;
}

EmulatedDeviceScope::EmulatedDeviceScope() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (r.open_scopes++ == 0) {
    for (const auto& [start, region] : r.regions) protect(start, region, PROT_READ | PROT_WRITE);
  }
}

EmulatedDeviceScope::~EmulatedDeviceScope() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (--r.open_scopes == 0) {
    for (const auto& [start, region] : r.regions) protect(start, region, PROT_NONE);
  }
}

namespace detail {

void* emulated_allocate(std::size_t bytes) {
  install_segv_message_once();
  const std::size_t page = page_bytes();
  const std::size_t mapped = (bytes == 0 ? page : (bytes + page - 1) / page * page);
  void* ptr = mmap(nullptr, mapped, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (ptr == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<std::uintptr_t>(ptr);
  const Region region{bytes, mapped};
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    r.regions.emplace(start, region);
    if (r.open_scopes > 0) protect(start, region, PROT_READ | PROT_WRITE);
  }
  AtomicCounters& c = counters();
  c.allocations.fetch_add(1);
  c.allocated_bytes.fetch_add(bytes);
  const std::uint64_t live = c.live_bytes.fetch_add(bytes) + bytes;
  std::uint64_t peak = c.peak_live_bytes.load();
  while (live > peak && !c.peak_live_bytes.compare_exchange_weak(peak, live)) {
  }
  return ptr;
}

void emulated_free(void* ptr) noexcept {
  if (ptr == nullptr) return;
  const auto start = reinterpret_cast<std::uintptr_t>(ptr);
  Region region;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.regions.find(start);
    if (it == r.regions.end()) {
      std::fprintf(stderr, "sijtrack emulated backend: free of %p, which it never allocated\n", ptr);
      std::abort();
    }
    region = it->second;
    r.regions.erase(it);
    if (munmap(ptr, region.mapped) != 0) die("munmap");
  }
  AtomicCounters& c = counters();
  c.frees.fetch_add(1);
  c.live_bytes.fetch_sub(region.bytes);
}

void emulated_copy(Backend dst_backend, void* dst, Backend src_backend, const void* src,
                   std::size_t bytes) {
  for (Backend b : {dst_backend, src_backend}) {
    if (b != Backend::Cpu && b != Backend::Emulated) {
      throw std::runtime_error(std::string("cannot copy between the emulated and the ") +
                               std::string(backend_name(b)) + " backend");
    }
  }
  {
    const EmulatedDeviceScope open;
    std::memmove(dst, src, bytes);
  }
  AtomicCounters& c = counters();
  if (is_device(dst_backend) && is_device(src_backend)) {
    c.device_to_device_bytes.fetch_add(bytes);
  } else if (is_device(dst_backend)) {
    c.host_to_device_bytes.fetch_add(bytes);
    c.host_to_device_copies.fetch_add(1);
  } else {
    c.device_to_host_bytes.fetch_add(bytes);
    c.device_to_host_copies.fetch_add(1);
  }
}

void emulated_memset(void* ptr, int value, std::size_t bytes) {
  {
    const EmulatedDeviceScope open;
    std::memset(ptr, value, bytes);
  }
  counters().memset_bytes.fetch_add(bytes);
}

std::uint64_t emulated_launch_seed() {
  static const std::uint64_t base = [] {
    const char* text = std::getenv("SIJTRACK_EMU_SEED");
    return text != nullptr ? std::strtoull(text, nullptr, 0) : 0xE3A1A7EDull;
  }();
  const std::uint64_t launch = counters().launches.fetch_add(1);
  std::uint64_t z = base + 0x9E3779B97F4A7C15ull * (launch + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace detail
}  // namespace sij
