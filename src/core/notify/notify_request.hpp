// What the worker hands the notifier child (`lokbackup notify`) on its stdin: the notice and the
// targets, with the SMTP password, which never travels in argv.
#pragma once

#include "core/notify/notification.hpp"
#include "core/notify/smtp_mail.hpp"
#include "core/notify/webhook.hpp"

#include <optional>
#include <string>
#include <vector>

namespace lokbackup
{

struct NotifyRequest {
    BackupNotice notice;
    std::optional<MailSettings> mail;
    std::optional<WebhookSettings> webhook;
};

std::string notify_request_to_json(const NotifyRequest &request);
NotifyRequest notify_request_from_json(const std::string &json);

// Delivers the notice to every target, one failing target not keeping it from the others; returns
// one message per failed delivery.
std::vector<std::string> deliver_notice(const NotifyRequest &request);

} // namespace lokbackup
