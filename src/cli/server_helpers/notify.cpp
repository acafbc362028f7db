// `lokbackup notify`: delivers one notice for the server's background worker, which starts it and
// does not wait for it, so that a slow or failing target never holds up a backup. Reads a
// NotifyRequest (core/notify/notify_request.hpp) from stdin; a failed delivery is reported on
// stderr, which is the server's log.
#include "cli/command.hpp"
#include "cli/server_helpers/child_request.hpp"
#include "cli/options.hpp"
#include "core/base/error.hpp"
#include "core/notify/notify_request.hpp"

#include <iostream>

namespace lokbackup::cli
{

namespace
{

const char *const help = R"(lokbackup notify: deliver a backup notice (internal)

Usage:
  lokbackup notify < REQUEST

Started by the server's background worker, which writes the notice and its targets (mail,
webhook) as JSON to its standard input. Failed deliveries are reported on standard error.
)";

int notify(const std::vector<std::string> &arguments)
{
    NotifyRequest request = notify_request_from_json(read_child_request("notify", arguments));
    std::vector<std::string> failures = deliver_notice(request);
    const BackupNotice &notice = request.notice;
    std::string what = is_wal_notice(notice) ? "failing WAL archiving"
                       : is_run_notice(notice)
                           ? "the " + notice.type + " backup run due at " + notice.started_at
                           : "backup " + std::to_string(notice.backup_id);
    for (const std::string &failure : failures)
        std::cerr << "lokbackup: notice of " << what << " not delivered: " << failure << "\n";
    return failures.empty() ? 0 : 1;
}

} // namespace

const Command notify_command = {
    "notify", "deliver a backup notice for the server's background worker (internal)",
    help,     notify,
    nullptr,  false,
    false};

} // namespace lokbackup::cli
