// Restores started from the dashboard: each runs in a thread of `lokbackup serve` (the data path
// is the same as `lokbackup restore`'s, with its psql or pg_restore child), and its progress and
// outcome stay visible until serve stops.
#pragma once

#include "cli/backup_plan.hpp"
#include "core/json_document.hpp"
#include "core/process.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lokbackup::cli
{

class RestoreJobs
{
  public:
    RestoreJobs() = default;
    RestoreJobs(const RestoreJobs &) = delete;
    RestoreJobs &operator=(const RestoreJobs &) = delete;
    // Waits for the restores that are still running.
    ~RestoreJobs();

    // Throws HttpError 409 while a restore into `target` is running.
    void check_target_idle(const std::string &target) const;
    // Starts replaying `plan` with `replay` into `target`; returns the job as the API shows it.
    // `undo` runs when the restore fails (it drops a target that the restore created).
    Json start(const BackupPlan &plan, ProcessSpec replay, const std::string &target,
               const std::string &user, std::function<void()> undo);
    Json list() const;
    // Throws HttpError 404 for an unknown id.
    Json find(std::size_t id) const;

  private:
    struct Job {
        std::size_t id;
        std::int64_t backup_id;
        std::string database;
        std::string target;
        std::string user;
        std::string status = "running"; // then "completed" or "failed"
        std::uint64_t bytes_read = 0;
        std::uint64_t bytes_total = 0;
        std::string error;
        std::chrono::system_clock::time_point started_at;
        std::chrono::system_clock::time_point finished_at;
    };

    void run(std::size_t index, BackupPlan plan, ProcessSpec replay, std::function<void()> undo);
    void finish(std::size_t index, const std::string &error);
    Json describe(const Job &job) const; // with mutex_ held
    void check_target_idle_locked(const std::string &target) const;

    mutable std::mutex mutex_;
    std::vector<Job> jobs_; // jobs_[i].id == i + 1
    std::vector<std::thread> threads_;
};

} // namespace lokbackup::cli
