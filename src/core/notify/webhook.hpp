// Notices by webhook: an HTTP POST of JSON that Slack (and Mattermost, Discord's Slack-compatible
// endpoint, or any HTTP service) accepts.
#pragma once

#include "core/notify/notification.hpp"

#include <string>

namespace lokbackup
{

struct WebhookSettings {
    std::string url; // http:// or https://; its path may be a secret and is never shown
    DeliveryTimeouts timeouts;
};

// Throws InvalidValue when the URL is not an http:// or https:// URL (without quoting it).
void check_webhook_url(const std::string &url);

// {"text": "[lokbackup] backup 42 of \"app\" failed on server db1: ...", "server": "db1",
//  "database": "app" (null for the roles), "contents": "database", "roles" or "none" (a run
//  notice, whose "backup_id" is null), "backup_id": 42,
//  "type", "status", "error" (null when none), "size", "raw_size", "duration_seconds",
//  "started_at", "finished_at"}. `text` is Slack's message, with &, < and > escaped as Slack
// wants; bytes that are not UTF-8 (an error message in another encoding) become U+FFFD.
std::string webhook_payload(const BackupNotice &notice);

// POSTs the payload with Content-Type application/json. Throws Error naming the target
// (scheme://host:port) when it cannot be reached, does not answer in time, or answers with a
// status other than 2xx (with the start of its answer).
void send_webhook(const WebhookSettings &settings, const BackupNotice &notice);

} // namespace lokbackup
