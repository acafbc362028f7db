// The progress a running backup reports: bytes acknowledged by storage, and a wait for storage
// shown once it has lasted a second, with the last storage problem until storage answers again.
#include "core/pipeline/backup_progress.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace lokbackup
{
namespace
{

using namespace std::chrono_literals;

TEST(ProgressTracker, CountsWhatStorageAcknowledged)
{
    ProgressTracker tracker;
    tracker.dumped(1000, 400);
    tracker.acknowledged(100);
    tracker.acknowledged(150);
    BackupProgress progress = tracker.snapshot();
    EXPECT_EQ(progress.raw_bytes, 1000u);
    EXPECT_EQ(progress.stored_bytes, 400u);
    EXPECT_EQ(progress.uploaded_bytes, 250u);
    EXPECT_EQ(progress.waiting_since_ms, 0);
}

TEST(ProgressTracker, AWaitForStorageShowsOnceItLastedASecond)
{
    ProgressTracker tracker;
    auto before = std::chrono::system_clock::now();
    tracker.waiting_for_storage();
    EXPECT_EQ(tracker.snapshot().waiting_since_ms, 0);
    std::this_thread::sleep_for(1100ms);
    std::int64_t since = tracker.snapshot().waiting_since_ms;
    auto since_before =
        std::chrono::duration_cast<std::chrono::milliseconds>(before.time_since_epoch()).count();
    EXPECT_GE(since, since_before);
    EXPECT_LT(since, since_before + 500);
    tracker.storage_answered();
    EXPECT_EQ(tracker.snapshot().waiting_since_ms, 0);
}

TEST(ProgressTracker, AStorageProblemLastsUntilStorageAcknowledgesAgain)
{
    ProgressTracker tracker;
    tracker.storage_problem("PUT s3://b/k: the S3 endpoint stalled; retrying in 0.4 s");
    EXPECT_EQ(tracker.snapshot().storage_problem,
              "PUT s3://b/k: the S3 endpoint stalled; retrying in 0.4 s");
    tracker.acknowledged(5);
    EXPECT_EQ(tracker.snapshot().storage_problem, "");
}

TEST(ProgressReporter, ReportsUntilDestroyed)
{
    ProgressTracker tracker;
    tracker.dumped(7, 3);
    std::atomic<int> reports{0};
    {
        ProgressReporter reporter(
            tracker,
            [&reports](const BackupProgress &progress) {
                EXPECT_EQ(progress.raw_bytes, 7u);
                ++reports;
            },
            10ms);
        auto deadline = std::chrono::steady_clock::now() + 5s;
        while (reports < 3 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(5ms);
    }
    int seen = reports;
    EXPECT_GE(seen, 3);
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(reports, seen);
}

} // namespace
} // namespace lokbackup
