// Notices by e-mail, over SMTP through libcurl.
#pragma once

#include "core/notify/notification.hpp"

#include <string>
#include <string_view>

namespace lokbackup
{

// STARTTLS on an smtp:// connection. optional: used when the server offers it (a failed TLS
// handshake still fails the delivery); required: a server that does not offer it is refused;
// never: plain text all the way (a relay on the same host).
enum class StartTls { never, optional, required };

// Throws InvalidValue naming the allowed values.
StartTls parse_start_tls(std::string_view name);

struct MailSettings {
    // smtp://host[:port] (port 25 unless given; 587 for submission), or smtps://host[:port] for
    // TLS from the first byte (port 465 unless given).
    std::string url;
    StartTls starttls = StartTls::optional; // smtp:// only
    std::string user;                       // empty: no AUTH
    std::string password;
    std::string from; // one mailbox: "lokbackup <backup@example.com>"
    std::string to;   // comma-separated mailboxes
    DeliveryTimeouts timeouts;
};

// Checks the form of the URL and addresses without connecting. Throws InvalidValue naming the
// setting (the password is never quoted).
void check_mail_settings(const MailSettings &settings);

// Sends the notice (mail_message.hpp) to every recipient, authenticating when a user is set.
// Throws InvalidValue as check_mail_settings(), and Error "could not send mail through
// smtp://host:port: ..." when the server cannot be reached, refuses the mail or does not answer
// in time; no message ever holds the password.
void send_mail(const MailSettings &settings, const BackupNotice &notice);

} // namespace lokbackup
