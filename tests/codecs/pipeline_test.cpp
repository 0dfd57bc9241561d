// The readers' shared pipeline: OrderedWork hands jobs back in push order whatever thread ran them,
// and fill() queues a producer's error behind the jobs before it.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include "common/pipeline.hpp"

namespace sluice::pipeline {
namespace {

struct Job {
  int chunk = -1;  // what the producer cut (here: its index)
  std::optional<Error> produce_error;
  int result = -1;
  int slot = -1;
};

// Jobs processed out of order (later ones faster) come back in order, each processed once.
TEST(OrderedWork, TakesJobsInPushOrderWhateverThreadRanThem) {
  for (int threads : {1, 2, 4}) {
    std::atomic<int> processed{0};
    OrderedWork<Job> work(threads, [&](Job& j, int slot) {
      std::this_thread::sleep_for(std::chrono::microseconds((j.chunk % 4 == 0) ? 2000 : 10));
      j.result = j.chunk * 10;
      j.slot = slot;
      ++processed;
    });
    int next = 0, expect = 0;
    std::vector<bool> slots(static_cast<std::size_t>(threads), false);
    while (true) {
      work.fill(
          [&]() -> Result<std::shared_ptr<Job>> {
            if (next == 40) return std::shared_ptr<Job>();
            auto j = std::make_shared<Job>();
            j->chunk = next++;
            return j;
          },
          [](Error) -> std::shared_ptr<Job> { ADD_FAILURE() << "no error was produced"; return nullptr; });
      EXPECT_LE(work.in_flight(), work.limit());
      auto j = work.take();
      if (!j) break;
      EXPECT_EQ(j->chunk, expect) << threads << " threads";
      EXPECT_EQ(j->result, expect * 10);
      ASSERT_GE(j->slot, 0);
      ASSERT_LT(j->slot, threads);
      slots[static_cast<std::size_t>(j->slot)] = true;
      ++expect;
    }
    EXPECT_EQ(expect, 40);
    EXPECT_EQ(processed.load(), 40);
    EXPECT_FALSE(work.closed());
    if (threads > 1) {
      EXPECT_TRUE(slots[1]) << "a worker ran no job";
    }
  }
}

// The producer fails at chunk 7: chunks 0..6 come back first (processed), then a job carrying the
// error (not processed), then nothing; the producer is not asked again after its error.
TEST(OrderedWork, AProducersErrorComesBackAfterTheJobsBeforeIt) {
  for (int threads : {1, 2, 3}) {
    OrderedWork<Job> work(threads, [&](Job& j, int) {
      // The first chunks slow: the error is met while they are still in flight.
      if (j.chunk < 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      j.result = j.chunk;
    });
    int produced = 0, asked_after_error = 0;
    bool failed = false;
    std::vector<int> got;
    std::optional<Error> error;
    while (true) {
      fill_with_chunks(work, [&]() -> Result<std::optional<int>> {
        if (failed) ++asked_after_error;
        if (produced == 7) {
          failed = true;
          return Error(ErrorCode::kLimitExceeded, "a record too long");
        }
        return std::optional<int>(produced++);
      });
      auto j = work.take();
      if (!j) break;
      if (j->produce_error) {
        EXPECT_EQ(j->result, -1) << "the error's job was processed";
        error = j->produce_error;
        continue;
      }
      EXPECT_FALSE(error) << "a chunk came back after the error";
      got.push_back(j->result);
    }
    EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4, 5, 6})) << threads << " threads";
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::kLimitExceeded);
    EXPECT_EQ(error->message(), "a record too long");
    EXPECT_TRUE(work.closed());
    EXPECT_EQ(asked_after_error, 0);
  }
}

// An input that fails at once: the error is the first and only job.
TEST(OrderedWork, AnErrorBeforeAnyChunkIsTheOnlyJob) {
  OrderedWork<Job> work(2, [](Job& j, int) { j.result = 1; });
  fill_with_chunks(work, []() -> Result<std::optional<int>> { return Error(ErrorCode::kIoError, "unreadable"); });
  auto j = work.take();
  ASSERT_TRUE(j);
  ASSERT_TRUE(j->produce_error);
  EXPECT_EQ(j->produce_error->code(), ErrorCode::kIoError);
  fill_with_chunks(work, []() -> Result<std::optional<int>> {
    ADD_FAILURE() << "asked for a chunk after the error";
    return std::optional<int>();
  });
  EXPECT_FALSE(work.take());
}

}  // namespace
}  // namespace sluice::pipeline
