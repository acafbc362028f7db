// `lokbackup notify`: delivers one notice for the server's background worker, which starts it and
// does not wait for it, so that a slow or failing target never holds up a backup. Reads a
// NotifyRequest (core/notify/notify_request.hpp) from stdin; a failed delivery is reported on
// stderr, which is the server's log.
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "core/base/error.hpp"
#include "core/notify/notify_request.hpp"

#include <iostream>
#include <iterator>

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
    Arguments("notify", {}, arguments)
        .expect_positionals(0, "no arguments: it reads its request from standard input");
    std::string json(std::istreambuf_iterator<char>(std::cin), {});
    NotifyRequest request = notify_request_from_json(json);
    std::vector<std::string> failures = deliver_notice(request);
    const BackupNotice &notice = request.notice;
    std::string what = is_run_notice(notice)
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
