#include "core/notify/notification.hpp"

#include "core/base/human_units.hpp"

#include <algorithm>

namespace lokbackup
{

bool is_wal_notice(const BackupNotice &notice)
{
    return !notice.wal_file.empty();
}

bool is_run_notice(const BackupNotice &notice)
{
    return notice.backup_id == 0 && !is_wal_notice(notice);
}

std::string notice_headline(const BackupNotice &notice)
{
    if (is_wal_notice(notice))
        return "WAL archiving has been failing since " + notice.started_at + " (file " +
               notice.wal_file + ")";
    if (is_run_notice(notice))
        return "the " + notice.type + " backup run due at " + notice.started_at + " was " +
               notice.status;
    std::string what = notice.base_backup        ? "the cluster (a base backup)"
                       : notice.database.empty() ? "the roles"
                                                 : "\"" + notice.database + "\"";
    if (notice.drill_id != 0)
        return "restore drill " + std::to_string(notice.drill_id) + " of backup " +
               std::to_string(notice.backup_id) + " of " + what + " " + notice.status;
    return "backup " + std::to_string(notice.backup_id) + " of " + what + " " + notice.status;
}

std::string notice_text(const BackupNotice &notice)
{
    std::string text = "lokbackup: " + notice_headline(notice);
    if (!notice.server.empty())
        text += " on server " + notice.server;
    text += ".\n\n";
    auto line = [&](std::string label, const std::string &value) {
        label.resize(std::max<std::size_t>(label.size() + 1, 14), ' ');
        text += label + value + "\n";
    };
    line("server:", notice.server);
    if (is_wal_notice(notice)) {
        line("WAL file:", notice.wal_file);
        line("failing since:", notice.started_at);
        line("noticed at:", notice.finished_at);
    } else if (is_run_notice(notice)) {
        line("type:", notice.type);
        line("status:", notice.status);
        line("due at:", notice.started_at);
        line("noticed at:", notice.finished_at);
    } else {
        line("database:", notice.base_backup        ? "(the cluster: a base backup)"
                          : notice.database.empty() ? "(the roles: pg_dumpall --globals-only)"
                                                    : notice.database);
        line("backup id:", std::to_string(notice.backup_id));
        if (notice.drill_id != 0)
            line("drill id:", std::to_string(notice.drill_id));
        line("type:", notice.type);
        line("status:", notice.status);
        line("started at:", notice.started_at);
        line("finished at:", notice.finished_at);
        line("duration:", pretty_duration(notice.duration_seconds));
    }
    if (notice.error.empty()) {
        line("size:",
             pretty_size(notice.size) + " stored, " + pretty_size(notice.raw_size) + " dumped");
        line("sha256:", notice.sha256);
    } else {
        text += "\nerror:\n" + notice.error;
        if (notice.error.back() != '\n')
            text += "\n";
    }
    return text;
}

} // namespace lokbackup
