#include "cli/web/web_restores.hpp"

#include "cli/web/web_errors.hpp"

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
    for (auto &[id, thread] : threads_)
        thread.join();
}

void RestoreJobs::check_can_start(const std::string &target) const
{
    std::lock_guard<std::mutex> guard(mutex_);
    check_can_start_locked(target);
}

void RestoreJobs::check_can_start_locked(const std::string &target) const
{
    std::size_t running = 0;
    for (const auto &[id, job] : jobs_) {
        if (job.status != "running")
            continue;
        ++running;
        if (job.target == target)
            throw HttpError(409,
                            "restore " + std::to_string(id) + " into database \"" + target +
                                "\" is still running",
                            "Wait until it has finished; GET /api/admin/restores shows it.");
    }
    if (running >= max_running)
        throw HttpError(503, std::to_string(running) + " restores are running already",
                        "Start this one when one of them has finished.");
}

Json RestoreJobs::start(const BackupPlan &plan, const std::string &target, const std::string &user,
                        Task task)
{
    std::lock_guard<std::mutex> guard(mutex_);
    tidy();
    check_can_start_locked(target);
    std::size_t id = next_id_++;
    Job &job = jobs_[id];
    job.id = id;
    job.backup_id = plan.backup.id;
    job.database = plan.backup.database;
    job.target = target;
    job.user = user;
    job.bytes_total = plan.backup.size;
    job.started_at = std::chrono::system_clock::now();
    try {
        threads_.emplace(id, std::thread(&RestoreJobs::run, this, id, std::move(task)));
    } catch (...) {
        jobs_.erase(id);
        throw;
    }
    return describe(job);
}

void RestoreJobs::run(std::size_t id, const Task &task)
{
    try {
        RestoreOutcome outcome = task([&](RestoreStep step, std::uint64_t done) {
            std::lock_guard<std::mutex> guard(mutex_);
            jobs_[id].step = restore_step_name(step);
            jobs_[id].bytes_read = done;
        });
        finish(id, "", std::move(outcome));
    } catch (const std::exception &error) {
        finish(id, error.what());
    }
}

void RestoreJobs::finish(std::size_t id, const std::string &error, RestoreOutcome outcome)
{
    std::lock_guard<std::mutex> guard(mutex_);
    Job &job = jobs_[id];
    job.status = error.empty() ? "completed" : "failed";
    job.error = error;
    job.outcome = std::move(outcome);
    job.finished_at = std::chrono::system_clock::now();
}

void RestoreJobs::tidy()
{
    for (auto it = threads_.begin(); it != threads_.end();) {
        if (jobs_.at(it->first).status == "running") {
            ++it;
            continue;
        }
        // Its job is finished: the thread has returned from finish() or is about to.
        it->second.join();
        it = threads_.erase(it);
    }
    while (jobs_.size() > history && jobs_.begin()->second.status != "running")
        jobs_.erase(jobs_.begin());
}

std::size_t RestoreJobs::running() const
{
    std::lock_guard<std::mutex> guard(mutex_);
    std::size_t count = 0;
    for (const auto &[id, job] : jobs_)
        count += job.status == "running";
    return count;
}

Json RestoreJobs::list() const
{
    std::lock_guard<std::mutex> guard(mutex_);
    Json jobs = Json::array();
    for (auto job = jobs_.rbegin(); job != jobs_.rend(); ++job)
        jobs.push_back(describe(job->second));
    return jobs;
}

Json RestoreJobs::find(std::size_t id) const
{
    std::lock_guard<std::mutex> guard(mutex_);
    auto job = jobs_.find(id);
    if (job == jobs_.end())
        throw HttpError(404, "restore " + std::to_string(id) + " does not exist",
                        "GET /api/admin/restores lists the restores since serve started.");
    return describe(job->second);
}

Json RestoreJobs::describe(const Job &job)
{
    return {{"id", job.id},
            {"backupId", job.backup_id},
            {"database", job.database},
            {"target", job.target},
            {"user", job.user},
            {"status", job.status},
            {"step", job.step.empty() ? Json(nullptr) : Json(job.step)},
            {"bytesRead", job.bytes_read},
            {"bytesTotal", job.bytes_total},
            {"error", job.error.empty() ? Json(nullptr) : Json(job.error)},
            {"warnings", job.outcome.warnings},
            {"previousDatabase",
             job.outcome.previous.empty() ? Json(nullptr) : Json(job.outcome.previous)},
            {"startedAt", iso_time(job.started_at)},
            {"finishedAt", iso_time(job.finished_at)}};
}

} // namespace lokbackup::cli
