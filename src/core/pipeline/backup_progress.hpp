// What a running backup has done, for the lokbackup_running view: the bytes dumped, handed to
// storage and acknowledged by it, and whether it waits for storage, since when and why. Tracked
// as the pipeline goes and reported every second by a thread of its own, so that a backup stuck
// on storage still reports, and says so.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace lokbackup
{

struct BackupProgress {
    std::uint64_t raw_bytes = 0;      // bytes pg_dump produced so far
    std::uint64_t stored_bytes = 0;   // bytes handed to storage so far
    std::uint64_t uploaded_bytes = 0; // bytes storage has acknowledged
    // When the backup began waiting for storage (milliseconds since the Unix epoch); 0 when it
    // does not wait, or has waited for less than a second.
    std::int64_t waiting_since_ms = 0;
    // The last retried storage request's error, until storage acknowledges bytes again.
    std::string storage_problem;
};

// Safe to use from any thread.
class ProgressTracker
{
  public:
    void dumped(std::uint64_t raw_bytes, std::uint64_t stored_bytes);
    void acknowledged(std::uint64_t bytes);
    void storage_problem(const std::string &message);
    // Calls into storage that may block bracket themselves with these.
    void waiting_for_storage();
    void storage_answered();
    BackupProgress snapshot() const;

  private:
    mutable std::mutex mutex_;
    BackupProgress progress_;
    bool waiting_ = false;
    std::chrono::system_clock::time_point waiting_since_;
};

// Calls `report` with the tracker's snapshot every `interval` until destroyed.
class ProgressReporter
{
  public:
    ProgressReporter(const ProgressTracker &tracker,
                     std::function<void(const BackupProgress &)> report,
                     std::chrono::milliseconds interval);
    ~ProgressReporter();
    ProgressReporter(const ProgressReporter &) = delete;
    ProgressReporter &operator=(const ProgressReporter &) = delete;

  private:
    std::mutex mutex_;
    std::condition_variable stop_;
    bool stopping_ = false;
    std::thread thread_;
};

} // namespace lokbackup
