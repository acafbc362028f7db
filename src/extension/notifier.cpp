#include "extension/notifier.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/timestamp.h"
}

#include "core/notify/notify_request.hpp"
#include "core/base/process.hpp"
#include "extension/boundary.hpp"
#include "extension/settings.hpp"

#include <ctime>
#include <list>
#include <unistd.h>

namespace lokbackup::pg
{

// Notifiers still running. A global, touched only inside core_call() lambdas.
static std::list<Process> notifiers;

static std::string server_name()
{
    if (cluster_name != nullptr && cluster_name[0] != '\0')
        return cluster_name;
    char host[256] = "";
    gethostname(host, sizeof(host) - 1);
    return host;
}

static std::string iso_utc(std::time_t time)
{
    std::tm fields{};
    gmtime_r(&time, &fields);
    char text[32];
    return std::string(text, std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &fields));
}

static BackupNotice backup_notice(const FinishedBackup &backup, double duration,
                                  std::time_t finished)
{
    BackupNotice notice;
    notice.database = backup.database ? backup.database : "";
    notice.base_backup = backup.base_backup;
    notice.backup_id = backup.id;
    notice.type = backup.type;
    notice.status = !backup.completed                ? "failed"
                    : backup.copy_failure != nullptr ? "completed, but its copy failed"
                                                     : "completed";
    notice.error = backup.error ? backup.error : backup.copy_failure ? backup.copy_failure : "";
    notice.size = backup.size;
    notice.raw_size = backup.raw_size;
    notice.sha256 = backup.sha256 ? backup.sha256 : "";
    notice.duration_seconds = duration;
    notice.started_at = backup.started_at;
    notice.finished_at = iso_utc(finished);
    return notice;
}

static NotifyRequest notify_request(BackupNotice notice)
{
    NotifyRequest request;
    request.notice = std::move(notice);
    request.notice.server = server_name();
    if (notify_email_setting[0] != '\0') {
        MailSettings mail;
        mail.url = smtp_url_setting;
        mail.starttls = parse_start_tls(smtp_starttls_setting_name());
        mail.user = smtp_user_setting;
        mail.password = smtp_password_setting;
        mail.from = smtp_from_setting;
        mail.to = notify_email_setting;
        request.mail = mail;
    }
    if (notify_webhook_setting[0] != '\0')
        request.webhook = WebhookSettings{notify_webhook_setting, {}};
    return request;
}

static bool any_notify_target()
{
    return notify_email_setting[0] != '\0' || notify_webhook_setting[0] != '\0';
}

// Starts `lokbackup notify` with the notice that `make_notice` builds (inside core_call()).
template <typename MakeNotice> static void start_notifier(const MakeNotice &make_notice)
{
    char *bin_directory = pstrdup(my_exec_path);
    get_parent_directory(bin_directory);
    char *program = psprintf("%s/lokbackup", bin_directory);
    core_call([&] {
        NotifyRequest request = notify_request(make_notice());
        ProcessSpec spec;
        spec.argv = {program, "notify"};
        spec.pipe_stdin = true;
        spec.own_process_group = true;
        Process &notifier = notifiers.emplace_back(Process::spawn(spec));
        std::string json = notify_request_to_json(request);
        write_all(notifier.stdin_fd(), json.data(), json.size());
        notifier.close_stdin();
    });
}

void notify_finished_backup(const FinishedBackup &backup)
{
    if (backup.completed && backup.copy_failure == nullptr && !notify_on_success())
        return;
    if (!any_notify_target())
        return;
    TimestampTz now = GetCurrentTimestamp();
    double duration = (now - backup.started) / 1e6;
    std::time_t finished = timestamptz_to_time_t(now);
    start_notifier([&] { return backup_notice(backup, duration, finished); });
}

void notify_missed_run(TimestampTz due, const char *status, const char *reason)
{
    if (!any_notify_target())
        return;
    std::time_t due_time = timestamptz_to_time_t(due);
    std::time_t now = timestamptz_to_time_t(GetCurrentTimestamp());
    start_notifier([&] {
        BackupNotice notice;
        notice.type = "scheduled";
        notice.status = status;
        notice.error = reason;
        notice.started_at = iso_utc(due_time);
        notice.finished_at = iso_utc(now);
        return notice;
    });
}

void notify_failed_drill(const FailedDrill &drill)
{
    if (!any_notify_target())
        return;
    TimestampTz now = GetCurrentTimestamp();
    double duration = (now - drill.started) / 1e6;
    std::time_t started = timestamptz_to_time_t(drill.started);
    std::time_t finished = timestamptz_to_time_t(now);
    start_notifier([&] {
        BackupNotice notice;
        notice.database = drill.database;
        notice.backup_id = drill.backup_id;
        notice.drill_id = drill.drill_id;
        notice.type = "restore drill";
        notice.status = drill.status;
        notice.error = drill.failed_check;
        notice.duration_seconds = duration;
        notice.started_at = iso_utc(started);
        notice.finished_at = iso_utc(finished);
        return notice;
    });
}

void notify_wal_archive_failure(const char *file, TimestampTz since, const char *error)
{
    if (!any_notify_target())
        return;
    std::time_t since_time = timestamptz_to_time_t(since);
    std::time_t now = timestamptz_to_time_t(GetCurrentTimestamp());
    start_notifier([&] {
        BackupNotice notice;
        notice.type = "WAL archiving";
        notice.status = "failing";
        notice.wal_file = file;
        notice.error = error;
        notice.started_at = iso_utc(since_time);
        notice.finished_at = iso_utc(now);
        return notice;
    });
}

void reap_notifiers()
{
    core_call([&] {
        notifiers.remove_if([](Process &notifier) { return notifier.try_wait().has_value(); });
    });
}

} // namespace lokbackup::pg
