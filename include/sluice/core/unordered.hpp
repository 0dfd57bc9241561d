// Independent items on several threads in no set order, with the error one thread going through them
// in order would meet first: the unordered scans of a Parquet file's row groups and a dataset's files.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "sluice/core/error.hpp"

namespace sluice {

// Items 0 .. n - 1 on `threads` threads (the caller's, numbered 0, and threads - 1 started here, no
// more than there are items): each thread takes the next item not yet taken and calls
// `work(item, thread, failed)`, which returns a Status. `failed` is the lowest item that has failed
// so far (n: none); an item after it may stop early (its result no longer counts), and no thread
// takes an item after it. Returns the lowest failing item's Status (what one thread in item order
// would have returned), or rethrows what its work threw. A thread that cannot be started leaves the
// items to the threads that could.
template <class Work>
Status run_unordered(std::size_t n, int threads, Work&& work) {
  struct Shared {
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> failed;
    std::mutex mu;  // guards error and exception (and the writes of failed)
    Status error;
    std::exception_ptr exception;
  } shared;
  shared.failed = n;
  auto loop = [&](int thread) {
    while (true) {
      const std::size_t i = shared.next.fetch_add(1);
      if (i >= n || i > shared.failed.load()) return;
      Status s;
      std::exception_ptr thrown;
      try {
        s = work(i, thread, static_cast<const std::atomic<std::size_t>&>(shared.failed));
      } catch (...) {
        thrown = std::current_exception();
      }
      if (s.ok() && !thrown) continue;
      std::lock_guard<std::mutex> lock(shared.mu);
      if (i < shared.failed.load()) {
        shared.failed = i;
        shared.error = std::move(s);
        shared.exception = thrown;
      }
      return;
    }
  };
  const std::size_t wanted = std::min<std::size_t>(n, static_cast<std::size_t>(threads > 1 ? threads : 1));
  std::vector<std::thread> helpers;
  for (std::size_t t = 1; t < wanted; ++t) {
    try {
      helpers.emplace_back(loop, static_cast<int>(t));
    } catch (const std::system_error&) {
      break;  // no more threads to be had: the ones started and this one do it all
    }
  }
  loop(0);
  for (auto& t : helpers) t.join();
  if (shared.exception) std::rethrow_exception(shared.exception);
  return std::move(shared.error);
}

}  // namespace sluice
