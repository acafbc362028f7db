// The e-mail about one backup, as an RFC 5322 message: what smtp_mail.cpp hands to the server.
#pragma once

#include "core/notify/notification.hpp"

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace lokbackup
{

// "lokbackup <backup@example.com>" or "backup@example.com".
struct Mailbox {
    std::string name;    // display name, possibly empty; any UTF-8
    std::string address; // local@domain, ASCII
};

// Throws InvalidValue naming `setting` (as "from") and saying what is allowed.
Mailbox parse_mailbox(std::string_view text, const std::string &setting);
// A comma-separated list of one or more mailboxes; display names must not contain commas.
std::vector<Mailbox> parse_mailbox_list(std::string_view text, const std::string &setting);

// Headers Date (`date`, in UTC), From, To, Subject ("[lokbackup] backup 42 of "app" failed"),
// a unique Message-ID, MIME headers and Auto-Submitted; the body is notice_text() in UTF-8,
// base64-encoded so that no byte or line length of an error message can break the transfer.
// Header text outside printable ASCII is written as RFC 2047 encoded words. Lines end with CRLF.
std::string mail_message(const BackupNotice &notice, const Mailbox &from,
                         const std::vector<Mailbox> &to, std::time_t date);

} // namespace lokbackup
