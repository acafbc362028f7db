#include "cli/web_restores.hpp"

#include "cli/object_source.hpp"
#include "cli/web_errors.hpp"
#include "core/restore_pipeline.hpp"

#include <ctime>

namespace lokbackup::cli
{

namespace
{

Json iso_time(std::chrono::system_clock::time_point at)
{
    if (at.time_since_epoch().count() == 0)
        return nullptr;
    std::time_t seconds = std::chrono::system_clock::to_time_t(at);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

} // namespace

RestoreJobs::~RestoreJobs()
{
    for (std::thread &thread : threads_)
        thread.join();
}

void RestoreJobs::check_target_idle(const std::string &target) const
{
    std::lock_guard<std::mutex> guard(mutex_);
    check_target_idle_locked(target);
}

void RestoreJobs::check_target_idle_locked(const std::string &target) const
{
    for (const Job &job : jobs_)
        if (job.target == target && job.status == "running")
            throw HttpError(409,
                            "restore " + std::to_string(job.id) + " into database \"" + target +
                                "\" is still running",
                            "Wait until it has finished; GET /api/admin/restores shows it.");
}

Json RestoreJobs::start(const BackupPlan &plan, ProcessSpec replay, const std::string &target,
                        const std::string &user, std::function<void()> undo)
{
    std::lock_guard<std::mutex> guard(mutex_);
    check_target_idle_locked(target);
    Job job;
    job.id = jobs_.size() + 1;
    job.backup_id = plan.id;
    job.database = plan.database;
    job.target = target;
    job.user = user;
    job.bytes_total = plan.size;
    job.started_at = std::chrono::system_clock::now();
    jobs_.push_back(job);
    threads_.emplace_back(&RestoreJobs::run, this, jobs_.size() - 1, plan, std::move(replay),
                          std::move(undo));
    return describe(jobs_.back());
}

void RestoreJobs::run(std::size_t index, BackupPlan plan, ProcessSpec replay,
                      std::function<void()> undo)
{
    try {
        std::unique_ptr<ObjectReader> object = open_location(plan.location);
        run_restore(*object, plan.expected(), replay, [&](std::uint64_t done) {
            std::lock_guard<std::mutex> guard(mutex_);
            jobs_[index].bytes_read = done;
        });
        finish(index, "");
    } catch (const std::exception &error) {
        std::string message = error.what();
        try {
            undo();
        } catch (const std::exception &undo_error) {
            message += std::string(" (and then: ") + undo_error.what() + ")";
        }
        finish(index, message);
    }
}

void RestoreJobs::finish(std::size_t index, const std::string &error)
{
    std::lock_guard<std::mutex> guard(mutex_);
    Job &job = jobs_[index];
    job.status = error.empty() ? "completed" : "failed";
    job.error = error;
    job.finished_at = std::chrono::system_clock::now();
}

Json RestoreJobs::list() const
{
    std::lock_guard<std::mutex> guard(mutex_);
    Json jobs = Json::array();
    for (auto job = jobs_.rbegin(); job != jobs_.rend(); ++job)
        jobs.push_back(describe(*job));
    return jobs;
}

Json RestoreJobs::find(std::size_t id) const
{
    std::lock_guard<std::mutex> guard(mutex_);
    if (id < 1 || id > jobs_.size())
        throw HttpError(404, "restore " + std::to_string(id) + " does not exist",
                        "GET /api/admin/restores lists the restores since serve started.");
    return describe(jobs_[id - 1]);
}

Json RestoreJobs::describe(const Job &job) const
{
    return {{"id", job.id},
            {"backupId", job.backup_id},
            {"database", job.database},
            {"target", job.target},
            {"user", job.user},
            {"status", job.status},
            {"bytesRead", job.bytes_read},
            {"bytesTotal", job.bytes_total},
            {"error", job.error.empty() ? Json(nullptr) : Json(job.error)},
            {"startedAt", iso_time(job.started_at)},
            {"finishedAt", iso_time(job.finished_at)}};
}

} // namespace lokbackup::cli
