// Restores started from the dashboard: each runs in a thread of `lokbackup serve` (the flow is
// `lokbackup restore`'s, cli/restore/restore_flow.hpp), and its progress and outcome stay visible:
// the last `history` restores are kept.
#pragma once

#include "cli/restore/backup_plan.hpp"
#include "cli/restore/restore_flow.hpp"
#include "core/base/json_document.hpp"
#include "core/pipeline/restore_pipeline.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace lokbackup::cli
{

class RestoreJobs
{
  public:
    static constexpr std::size_t max_running = 4;
    static constexpr std::size_t history = 100;

    RestoreJobs() = default;
    RestoreJobs(const RestoreJobs &) = delete;
    RestoreJobs &operator=(const RestoreJobs &) = delete;
    // Waits for the restores that are still running.
    ~RestoreJobs();

    // Throws HttpError 409 while a restore into `target` is running, 503 while max_running are.
    void check_can_start(const std::string &target) const;
    // The work of one restore (RestoreFlow::run()), which throws Error when it failed.
    using Task = std::function<RestoreOutcome(const RestoreFlowProgress &)>;

    // Starts `task`, the restore of `plan` into `target`; returns the job as the API shows it.
    Json start(const BackupPlan &plan, const std::string &target, const std::string &user,
               Task task);
    std::size_t running() const;
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
        std::string step;               // restore_step_name() of what it reads for; empty at first
        std::uint64_t bytes_read = 0;   // by that step
        std::uint64_t bytes_total = 0;
        std::string error;
        RestoreOutcome outcome;
        std::chrono::system_clock::time_point started_at;
        std::chrono::system_clock::time_point finished_at;
    };

    void run(std::size_t id, const Task &task);
    void finish(std::size_t id, const std::string &error, RestoreOutcome outcome = {});
    // With mutex_ held: joins the threads of finished restores, forgets the oldest beyond history.
    void tidy();
    void check_can_start_locked(const std::string &target) const;
    static Json describe(const Job &job);

    mutable std::mutex mutex_;
    std::size_t next_id_ = 1;
    std::map<std::size_t, Job> jobs_;
    std::map<std::size_t, std::thread> threads_; // of the running restores, and finished unjoined
};

} // namespace lokbackup::cli
