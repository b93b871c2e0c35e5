// A minimal parallel-for over index ranges for the elementwise kernels (no pool: an op must be
// large enough, kMinParallel elements, that a thread start, ~20 µs, is noise).
#pragma once
#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

namespace aflora {

constexpr int64_t kMinParallel = 1 << 17;

// The thread count the elementwise kernels use (set with the BLAS's, setThreads()).
int& ElementwiseThreads();

// body(lo, hi) over [0, n); each index stands for `weight` elements when deciding to split.
template <typename F>
void ParallelFor(int64_t n, F&& body, int64_t weight = 1) {
  const int64_t work = n * weight;
  const int threads = static_cast<int>(std::min<int64_t>({ElementwiseThreads(), std::max<int64_t>(1, work / kMinParallel), n}));
  if (threads <= 1) {
    body(0, n);
    return;
  }
  std::vector<std::thread> pool;
  const int64_t chunk = (n + threads - 1) / threads;
  for (int t = 1; t < threads; t++) {
    const int64_t lo = t * chunk;
    const int64_t hi = std::min(n, lo + chunk);
    if (lo < hi) pool.emplace_back([&body, lo, hi] { body(lo, hi); });
  }
  body(0, std::min(n, chunk));
  for (auto& th : pool) th.join();
}

}  // namespace aflora
