#include "core/pipeline/backup_progress.hpp"

namespace lokbackup
{

namespace
{

// A shorter wait is a write into a full buffer, not storage keeping the backup waiting.
constexpr std::chrono::seconds noticeable_wait{1};

} // namespace

void ProgressTracker::dumped(std::uint64_t raw_bytes, std::uint64_t stored_bytes)
{
    std::lock_guard<std::mutex> lock(mutex_);
    progress_.raw_bytes = raw_bytes;
    progress_.stored_bytes = stored_bytes;
}

void ProgressTracker::acknowledged(std::uint64_t bytes)
{
    std::lock_guard<std::mutex> lock(mutex_);
    progress_.uploaded_bytes += bytes;
    progress_.storage_problem.clear();
}

void ProgressTracker::storage_problem(const std::string &message)
{
    std::lock_guard<std::mutex> lock(mutex_);
    progress_.storage_problem = message;
}

void ProgressTracker::waiting_for_storage()
{
    std::lock_guard<std::mutex> lock(mutex_);
    waiting_ = true;
    waiting_since_ = std::chrono::system_clock::now();
}

void ProgressTracker::storage_answered()
{
    std::lock_guard<std::mutex> lock(mutex_);
    waiting_ = false;
}

BackupProgress ProgressTracker::snapshot() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    BackupProgress progress = progress_;
    if (waiting_ && std::chrono::system_clock::now() - waiting_since_ >= noticeable_wait)
        progress.waiting_since_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(waiting_since_.time_since_epoch())
                .count();
    return progress;
}

ProgressReporter::ProgressReporter(const ProgressTracker &tracker,
                                   std::function<void(const BackupProgress &)> report,
                                   std::chrono::milliseconds interval)
{
    thread_ = std::thread([this, &tracker, report = std::move(report), interval] {
        std::unique_lock<std::mutex> lock(mutex_);
        while (!stop_.wait_for(lock, interval, [this] { return stopping_; })) {
            lock.unlock();
            report(tracker.snapshot());
            lock.lock();
        }
    });
}

ProgressReporter::~ProgressReporter()
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    stop_.notify_one();
    thread_.join();
}

} // namespace lokbackup
