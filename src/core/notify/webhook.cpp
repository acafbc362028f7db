#include "core/notify/webhook.hpp"

#include "core/http/curl_session.hpp"
#include "core/base/json_document.hpp"

namespace lokbackup
{

namespace
{

constexpr const char *protocols = "http,https";
// Enough of an error answer to say why ("invalid_payload", "no_service").
constexpr std::size_t kept_answer_bytes = 300;

std::string slack_escaped(const std::string &text)
{
    std::string escaped;
    for (char c : text) {
        if (c == '&')
            escaped += "&amp;";
        else if (c == '<')
            escaped += "&lt;";
        else if (c == '>')
            escaped += "&gt;";
        else
            escaped += c;
    }
    return escaped;
}

std::string slack_text(const BackupNotice &notice)
{
    std::string text = "[lokbackup] " + notice_headline(notice);
    if (!notice.server.empty())
        text += " on server " + notice.server;
    if (!notice.error.empty())
        text += ": " + notice.error;
    return slack_escaped(text);
}

Json nullable(const std::string &text)
{
    return text.empty() ? Json(nullptr) : Json(text);
}

struct Answer {
    std::string start;

    static std::size_t write(char *data, std::size_t size, std::size_t count, void *self)
    {
        std::string &start = static_cast<Answer *>(self)->start;
        start.append(data, std::min(size * count, kept_answer_bytes - start.size()));
        return size * count;
    }
};

} // namespace

void check_webhook_url(const std::string &url)
{
    url_target(url, protocols, "webhook URL");
}

std::string webhook_payload(const BackupNotice &notice)
{
    Json payload = {
        {"text", slack_text(notice)},
        {"server", notice.server},
        {"database", nullable(notice.database)},
        {"contents", is_wal_notice(notice)     ? "wal"
                     : is_run_notice(notice)   ? "none"
                     : notice.base_backup      ? "cluster"
                     : notice.database.empty() ? "roles"
                                               : "database"},
        {"backup_id", notice.backup_id == 0 ? Json(nullptr) : Json(notice.backup_id)},
        {"wal_file", nullable(notice.wal_file)},
        {"drill_id", notice.drill_id == 0 ? Json(nullptr) : Json(notice.drill_id)},
        {"type", notice.type},
        {"status", notice.status},
        {"error", nullable(notice.error)},
        {"size", notice.size},
        {"raw_size", notice.raw_size},
        {"sha256", nullable(notice.sha256)},
        {"duration_seconds", notice.duration_seconds},
        {"started_at", notice.started_at},
        {"finished_at", notice.finished_at},
    };
    return payload.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void send_webhook(const WebhookSettings &settings, const BackupNotice &notice)
{
    std::string target = url_target(settings.url, protocols, "webhook URL");
    std::string payload = webhook_payload(notice);

    CurlSession session(settings.url, protocols, settings.timeouts);
    session.set(CURLOPT_POST, 1L);
    session.set(CURLOPT_POSTFIELDS, payload.c_str());
    session.set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
    // "Expect:" off: libcurl would otherwise wait for a 100 Continue before a larger body.
    session.set_list(CURLOPT_HTTPHEADER,
                     {"Content-Type: application/json", "User-Agent: lokbackup", "Expect:"});
    Answer answer;
    session.set(CURLOPT_WRITEFUNCTION, &Answer::write);
    session.set(CURLOPT_WRITEDATA, static_cast<void *>(&answer));
    std::string what = "webhook POST to " + target;
    session.perform("could not send " + what);
    long status = session.response_code();
    if (status < 200 || status > 299)
        throw Error(what + " was answered with HTTP status " + std::to_string(status) +
                    (answer.start.empty() ? "" : ": " + answer.start));
}

} // namespace lokbackup
