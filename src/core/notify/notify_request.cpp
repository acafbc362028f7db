#include "core/notify/notify_request.hpp"

#include "core/base/json_document.hpp"

#include <cstdint>

namespace lokbackup
{

namespace
{

const std::string document = "notify request";

const char *start_tls_name(StartTls starttls)
{
    switch (starttls) {
    case StartTls::never:
        return "never";
    case StartTls::required:
        return "required";
    default:
        return "optional";
    }
}

Json notice_json(const BackupNotice &notice)
{
    return {{"server", notice.server},
            {"database", notice.database},
            {"base_backup", notice.base_backup},
            {"backup_id", notice.backup_id},
            {"drill_id", notice.drill_id},
            {"type", notice.type},
            {"status", notice.status},
            {"error", notice.error},
            {"size", notice.size},
            {"raw_size", notice.raw_size},
            {"sha256", notice.sha256},
            // Whole seconds: a notice has no use for more, and the reader reads integers.
            {"duration_seconds", static_cast<std::int64_t>(notice.duration_seconds + 0.5)},
            {"started_at", notice.started_at},
            {"finished_at", notice.finished_at},
            {"wal_file", notice.wal_file}};
}

BackupNotice notice_from(const JsonReader &json)
{
    BackupNotice notice;
    notice.server = json.string("server");
    notice.database = json.string("database");
    notice.backup_id = json.int64("backup_id");
    // A worker library older than the program sends no base_backup (0.6.0) nor drill_id.
    if (json.optional_field("base_backup") != nullptr)
        notice.base_backup = json.boolean("base_backup");
    if (json.optional_field("drill_id") != nullptr)
        notice.drill_id = json.int64("drill_id");
    notice.type = json.string("type");
    notice.status = json.string("status");
    notice.error = json.string("error");
    notice.size = json.uint64("size");
    notice.raw_size = json.uint64("raw_size");
    notice.sha256 = json.string("sha256");
    notice.duration_seconds = static_cast<double>(json.int64("duration_seconds"));
    notice.started_at = json.string("started_at");
    notice.finished_at = json.string("finished_at");
    // A worker library older than the program sends no wal_file.
    if (json.optional_field("wal_file") != nullptr)
        notice.wal_file = json.string("wal_file");
    return notice;
}

} // namespace

std::string notify_request_to_json(const NotifyRequest &request)
{
    Json json = {{"notice", notice_json(request.notice)}};
    if (request.mail)
        json["mail"] = {
            {"url", request.mail->url},   {"starttls", start_tls_name(request.mail->starttls)},
            {"user", request.mail->user}, {"password", request.mail->password},
            {"from", request.mail->from}, {"to", request.mail->to}};
    if (request.webhook)
        json["webhook"] = {{"url", request.webhook->url}};
    return json_text(document, json);
}

NotifyRequest notify_request_from_json(const std::string &text)
{
    Json whole = Json::parse(text, nullptr, false);
    if (!whole.is_object() || !whole.contains("notice"))
        throw Error(document + ": not a JSON object with a notice");
    NotifyRequest request;
    request.notice = notice_from(JsonReader(document, whole["notice"].dump()));
    if (whole.contains("mail")) {
        JsonReader mail(document, whole["mail"].dump());
        MailSettings settings;
        settings.url = mail.string("url");
        settings.starttls = mail.enumeration("starttls", parse_start_tls);
        settings.user = mail.string("user");
        settings.password = mail.string("password");
        settings.from = mail.string("from");
        settings.to = mail.string("to");
        request.mail = settings;
    }
    if (whole.contains("webhook"))
        request.webhook =
            WebhookSettings{JsonReader(document, whole["webhook"].dump()).string("url"), {}};
    return request;
}

std::vector<std::string> deliver_notice(const NotifyRequest &request)
{
    std::vector<std::string> failures;
    auto attempt = [&](auto &&deliver) {
        try {
            deliver();
        } catch (const Error &error) {
            failures.emplace_back(error.what());
        }
    };
    if (request.mail)
        attempt([&] { send_mail(*request.mail, request.notice); });
    if (request.webhook)
        attempt([&] { send_webhook(*request.webhook, request.notice); });
    return failures;
}

} // namespace lokbackup
