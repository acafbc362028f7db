#include "core/http/curl_session.hpp"
#include "core/notify/mail_message.hpp"
#include "core/notify/smtp_mail.hpp"
#include "core/notify/webhook.hpp"

#include "test_support.hpp"
#include "time_test_support.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <regex>
#include <sstream>

namespace lokbackup
{
namespace
{

using test::error_message;

BackupNotice completed_roles_notice()
{
    BackupNotice notice = test::failed_notice();
    notice.database = "";
    notice.backup_id = 43;
    notice.status = "completed";
    notice.error = "";
    notice.size = 1234567;
    notice.raw_size = 9876543;
    notice.sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    notice.duration_seconds = 184;
    return notice;
}

std::string base64_decoded(std::string text)
{
    text.erase(
        std::remove_if(text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n'; }),
        text.end());
    std::string bytes(text.size(), '\0');
    int length = EVP_DecodeBlock(reinterpret_cast<unsigned char *>(bytes.data()),
                                 reinterpret_cast<const unsigned char *>(text.data()),
                                 static_cast<int>(text.size()));
    EXPECT_GE(length, 0);
    std::size_t padding =
        std::count(text.end() - std::min<std::ptrdiff_t>(2, text.size()), text.end(), '=');
    bytes.resize(static_cast<std::size_t>(length) - padding);
    return bytes;
}

// The header lines of a message, folded lines joined (CRLF SP kept out).
std::vector<std::string> header_lines(const std::string &message)
{
    std::string head = message.substr(0, message.find("\r\n\r\n"));
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (;;) {
        std::size_t end = head.find("\r\n", start);
        std::string line = head.substr(start, end == std::string::npos ? end : end - start);
        if (!line.empty() && line[0] == ' ' && !lines.empty())
            lines.back() += line;
        else
            lines.push_back(line);
        if (end == std::string::npos)
            return lines;
        start = end + 2;
    }
}

std::string header(const std::string &message, const std::string &name)
{
    for (const std::string &line : header_lines(message))
        if (line.rfind(name + ": ", 0) == 0)
            return line.substr(name.size() + 2);
    return "(missing)";
}

// The text of RFC 2047 encoded words "=?UTF-8?B?...?= =?UTF-8?B?...?=", each checked to hold
// whole UTF-8 characters.
std::string decoded_words(const std::string &value)
{
    std::regex word(R"(=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=)");
    std::string text;
    for (std::sregex_iterator it(value.begin(), value.end(), word), end; it != end; ++it) {
        EXPECT_LE(it->str().size(), 75u);
        std::string piece = base64_decoded((*it)[1]);
        EXPECT_NE(static_cast<unsigned char>(piece[0]) & 0xc0, 0x80) << "split character";
        text += piece;
    }
    return text;
}

std::string body(const std::string &message)
{
    return base64_decoded(message.substr(message.find("\r\n\r\n") + 4));
}

const Mailbox from{"lokbackup", "backup@example.com"};
const std::vector<Mailbox> to{{"", "ops@example.com"}, {"Dana Admin", "dana@example.com"}};

TEST(NotificationTest, TextSaysWhatHappenedAndWhy)
{
    EXPECT_EQ(notice_text(test::failed_notice()),
              "lokbackup: backup 42 of \"app\" failed on server db1.\n"
              "\n"
              "server:       db1\n"
              "database:     app\n"
              "backup id:    42\n"
              "type:         daily\n"
              "status:       failed\n"
              "started at:   2026-11-25T03:00:00Z\n"
              "finished at:  2026-11-25T03:00:12Z\n"
              "duration:     12.5 s\n"
              "\n"
              "error:\n"
              "pg_dump: error: connection to server failed: FATAL:  role \"x\" does not exist\n");
    EXPECT_EQ(notice_text(completed_roles_notice()),
              "lokbackup: backup 43 of the roles completed on server db1.\n"
              "\n"
              "server:       db1\n"
              "database:     (the roles: pg_dumpall --globals-only)\n"
              "backup id:    43\n"
              "type:         daily\n"
              "status:       completed\n"
              "started at:   2026-11-25T03:00:00Z\n"
              "finished at:  2026-11-25T03:00:12Z\n"
              "duration:     3 min 04 s\n"
              "size:         1206 kB stored, 9645 kB dumped\n"
              "sha256:       ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
}

BackupNotice refused_run_notice()
{
    BackupNotice notice = test::failed_notice();
    notice.database = "";
    notice.backup_id = 0;
    notice.type = "scheduled";
    notice.status = "refused";
    notice.error = "relation \"lokbackup_backups\" does not exist";
    return notice;
}

TEST(NotificationTest, ARunThatMadeNoBackupSaysWhichFiringAndWhy)
{
    EXPECT_EQ(notice_text(refused_run_notice()),
              "lokbackup: the scheduled backup run due at 2026-11-25T03:00:00Z was refused on "
              "server db1.\n"
              "\n"
              "server:       db1\n"
              "type:         scheduled\n"
              "status:       refused\n"
              "due at:       2026-11-25T03:00:00Z\n"
              "noticed at:   2026-11-25T03:00:12Z\n"
              "\n"
              "error:\n"
              "relation \"lokbackup_backups\" does not exist\n");
    nlohmann::json payload = nlohmann::json::parse(webhook_payload(refused_run_notice()));
    EXPECT_EQ(payload["text"], "[lokbackup] the scheduled backup run due at 2026-11-25T03:00:00Z "
                               "was refused on server db1: relation \"lokbackup_backups\" does "
                               "not exist");
    EXPECT_EQ(payload["contents"], "none");
    EXPECT_TRUE(payload["backup_id"].is_null());
    EXPECT_TRUE(payload["database"].is_null());
    EXPECT_EQ(payload["status"], "refused");
}

TEST(NotificationTest, AFailedDrillNamesTheDrillAndTheBackup)
{
    BackupNotice notice = test::failed_notice();
    notice.drill_id = 7;
    notice.type = "restore drill";
    notice.error = "table public.t: 10 rows at backup time, 9 restored";
    EXPECT_EQ(notice_text(notice),
              "lokbackup: restore drill 7 of backup 42 of \"app\" failed on server db1.\n"
              "\n"
              "server:       db1\n"
              "database:     app\n"
              "backup id:    42\n"
              "drill id:     7\n"
              "type:         restore drill\n"
              "status:       failed\n"
              "started at:   2026-11-25T03:00:00Z\n"
              "finished at:  2026-11-25T03:00:12Z\n"
              "duration:     12.5 s\n"
              "\n"
              "error:\n"
              "table public.t: 10 rows at backup time, 9 restored\n");
    nlohmann::json payload = nlohmann::json::parse(webhook_payload(notice));
    EXPECT_EQ(payload["drill_id"], 7);
    EXPECT_EQ(payload["backup_id"], 42);
    EXPECT_TRUE(
        nlohmann::json::parse(webhook_payload(test::failed_notice()))["drill_id"].is_null());
}

TEST(NotificationTest, FailingWalArchivingNamesTheFileAndSinceWhen)
{
    BackupNotice notice;
    notice.server = "db1";
    notice.type = "WAL archiving";
    notice.status = "failing";
    notice.wal_file = "000000010000000000000007";
    notice.error = "storage did not answer within lokbackup.wal_upload_timeout (300 s)";
    notice.started_at = "2026-11-25T03:00:00Z";
    notice.finished_at = "2026-11-25T03:05:02Z";
    EXPECT_FALSE(is_run_notice(notice));
    EXPECT_EQ(notice_text(notice),
              "lokbackup: WAL archiving has been failing since 2026-11-25T03:00:00Z (file "
              "000000010000000000000007) on server db1.\n"
              "\n"
              "server:       db1\n"
              "WAL file:     000000010000000000000007\n"
              "failing since: 2026-11-25T03:00:00Z\n"
              "noticed at:   2026-11-25T03:05:02Z\n"
              "\n"
              "error:\n"
              "storage did not answer within lokbackup.wal_upload_timeout (300 s)\n");
    nlohmann::json payload = nlohmann::json::parse(webhook_payload(notice));
    EXPECT_EQ(payload["contents"], "wal");
    EXPECT_EQ(payload["wal_file"], "000000010000000000000007");
    EXPECT_TRUE(payload["backup_id"].is_null());
    EXPECT_TRUE(
        nlohmann::json::parse(webhook_payload(test::failed_notice()))["wal_file"].is_null());
}

TEST(NotificationTest, MailHeaders)
{
    std::string message =
        mail_message(test::failed_notice(), from, to, test::utc("2026-11-25T03:00:12Z"));
    EXPECT_EQ(header(message, "Date"), "Wed, 25 Nov 2026 03:00:12 +0000");
    EXPECT_EQ(header(message, "From"), "\"lokbackup\" <backup@example.com>");
    EXPECT_EQ(header(message, "To"), "ops@example.com, \"Dana Admin\" <dana@example.com>");
    EXPECT_EQ(header(message, "Subject"), "[lokbackup] backup 42 of \"app\" failed");
    EXPECT_EQ(header(message, "MIME-Version"), "1.0");
    EXPECT_EQ(header(message, "Content-Type"), "text/plain; charset=utf-8");
    EXPECT_EQ(header(message, "Content-Transfer-Encoding"), "base64");
    EXPECT_EQ(header(message, "Auto-Submitted"), "auto-generated");
    std::string id = header(message, "Message-ID");
    EXPECT_TRUE(std::regex_match(id, std::regex(R"(<lokbackup\.42\.[0-9a-f]{24}@example\.com>)")))
        << id;
    std::string other =
        mail_message(test::failed_notice(), from, to, test::utc("2026-11-25T03:00:12Z"));
    EXPECT_NE(header(other, "Message-ID"), id);
}

TEST(NotificationTest, MailLinesEndWithCrlfAndStayShort)
{
    BackupNotice notice = test::failed_notice();
    notice.error = std::string(500, 'x') + "\n.\nstill the error\n";
    std::string message = mail_message(notice, from, to, 0);
    std::istringstream lines(message);
    for (std::string line; std::getline(lines, line);) {
        ASSERT_FALSE(line.empty()) << "a bare LF";
        EXPECT_EQ(line.back(), '\r');
        EXPECT_LE(line.size(), 79u) << line;
    }
    EXPECT_EQ(body(message).find("\r\n.\r\nstill the error\r\n") != std::string::npos, true);
}

TEST(NotificationTest, MailBodyIsTheNoticeText)
{
    std::string message = mail_message(test::failed_notice(), from, to, 0);
    std::string text = body(message);
    std::string expected = notice_text(test::failed_notice());
    std::string expected_crlf;
    for (char c : expected)
        expected_crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    EXPECT_EQ(text, expected_crlf);
    EXPECT_NE(text.find("backup id:    42"), std::string::npos);
    EXPECT_NE(text.find("database:     app"), std::string::npos);
    EXPECT_NE(text.find("role \"x\" does not exist"), std::string::npos);
}

TEST(NotificationTest, HeaderTextOutsideAsciiIsEncoded)
{
    BackupNotice notice = test::failed_notice();
    notice.database = "café ☕";
    Mailbox named{"Zoë Müller", "zoe@example.com"};
    std::string message = mail_message(notice, named, to, 0);
    std::string subject = header(message, "Subject");
    EXPECT_EQ(subject.rfind("=?UTF-8?B?", 0), 0u) << subject;
    EXPECT_EQ(decoded_words(subject), "[lokbackup] backup 42 of \"café ☕\" failed");
    EXPECT_EQ(decoded_words(header(message, "From")), "Zoë Müller");
    EXPECT_NE(header(message, "From").find(" <zoe@example.com>"), std::string::npos);

    // 63 bytes of two-byte characters: several words, no character split between two.
    notice.database = "";
    for (int i = 0; i < 31; ++i)
        notice.database += "é";
    message = mail_message(notice, from, to, 0);
    EXPECT_EQ(decoded_words(header(message, "Subject")),
              "[lokbackup] backup 42 of \"" + notice.database + "\" failed");
}

TEST(NotificationTest, ADatabaseNameCannotAddHeaders)
{
    BackupNotice notice = test::failed_notice();
    notice.database = "app\r\nBcc: victim@example.com";
    std::string message = mail_message(notice, from, to, 0);
    for (const std::string &line : header_lines(message))
        EXPECT_NE(line.rfind("Bcc:", 0), 0u) << line;
    EXPECT_EQ(decoded_words(header(message, "Subject")),
              "[lokbackup] backup 42 of \"app\r\nBcc: victim@example.com\" failed");
}

TEST(NotificationTest, Mailboxes)
{
    Mailbox plain = parse_mailbox(" backup@example.com ", "from");
    EXPECT_EQ(plain.name, "");
    EXPECT_EQ(plain.address, "backup@example.com");
    Mailbox named = parse_mailbox("\"Backup Bot\" <bot@example.com>", "from");
    EXPECT_EQ(named.name, "Backup Bot");
    EXPECT_EQ(named.address, "bot@example.com");
    std::vector<Mailbox> list = parse_mailbox_list("a@example.com, Ops <ops@example.com>", "to");
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[1].name, "Ops");
    EXPECT_EQ(list[1].address, "ops@example.com");

    EXPECT_EQ(error_message([] { parse_mailbox("not an address", "from"); }),
              "invalid from address \"not an address\": write name@example.com or Name "
              "<name@example.com>");
    for (const char *bad : {"", "a@b@c", "Ops <ops@example.com", "a@example.com\r\nBcc: b@c",
                            "\"x\r\n\" <a@example.com>", "<@example.com>", "a b@example.com"})
        EXPECT_THROW(parse_mailbox(bad, "from"), InvalidValue) << bad;
    EXPECT_EQ(error_message([] { parse_mailbox_list("a@example.com,", "to"); }),
              "invalid to address \"\": write name@example.com or Name <name@example.com>");
}

TEST(NotificationTest, MailSettingsAreChecked)
{
    MailSettings settings;
    settings.url = "smtp://mail.example.com:587";
    settings.from = "backup@example.com";
    settings.to = "ops@example.com";
    EXPECT_NO_THROW(check_mail_settings(settings));
    settings.url = "smtps://mail.example.com";
    EXPECT_NO_THROW(check_mail_settings(settings));

    MailSettings bad = settings;
    bad.url = "https://mail.example.com";
    EXPECT_EQ(error_message([&] { check_mail_settings(bad); }),
              "invalid mail server URL: it must be a URL starting with smtp:// or smtps://");
    bad = settings;
    bad.password = "s3cret-Pa55";
    EXPECT_EQ(error_message([&] { check_mail_settings(bad); }),
              "a mail password is set but no mail user: set both, or neither");
    bad = settings;
    bad.to = "ops";
    EXPECT_THROW(check_mail_settings(bad), InvalidValue);

    EXPECT_EQ(parse_start_tls("required"), StartTls::required);
    EXPECT_EQ(parse_start_tls("never"), StartTls::never);
    EXPECT_EQ(error_message([] { parse_start_tls("yes"); }),
              "invalid STARTTLS mode \"yes\": use never, optional or required");
}

TEST(NotificationTest, TargetsNeverShowSecrets)
{
    EXPECT_EQ(url_target("https://hooks.slack.com/services/T000/B000/XXXXSECRET", "http,https",
                         "webhook URL"),
              "https://hooks.slack.com");
    EXPECT_EQ(
        url_target("http://user:pw@127.0.0.1:8080/hook?token=abc", "http,https", "webhook URL"),
        "http://127.0.0.1:8080");
    for (const char *url : {"ftp://example.com/SECRET", "example.com/SECRET", "", "http://"}) {
        std::string message = error_message([&] { check_webhook_url(url); });
        EXPECT_EQ(message,
                  "invalid webhook URL: it must be a URL starting with http:// or https://")
            << url;
    }
}

TEST(NotificationTest, WebhookPayload)
{
    BackupNotice notice = test::failed_notice();
    notice.error = "pg_dump: error: <bad> & worse";
    nlohmann::json payload = nlohmann::json::parse(webhook_payload(notice));
    EXPECT_EQ(payload["text"],
              "[lokbackup] backup 42 of \"app\" failed on server db1: pg_dump: error: &lt;bad&gt; "
              "&amp; worse");
    EXPECT_EQ(payload["server"], "db1");
    EXPECT_EQ(payload["database"], "app");
    EXPECT_EQ(payload["contents"], "database");
    EXPECT_EQ(payload["backup_id"], 42);
    EXPECT_EQ(payload["type"], "daily");
    EXPECT_EQ(payload["status"], "failed");
    EXPECT_EQ(payload["error"], "pg_dump: error: <bad> & worse");
    EXPECT_EQ(payload["size"], 0);
    EXPECT_EQ(payload["raw_size"], 0);
    EXPECT_TRUE(payload["sha256"].is_null());
    EXPECT_EQ(payload["duration_seconds"], 12.5);
    EXPECT_EQ(payload["started_at"], "2026-11-25T03:00:00Z");
    EXPECT_EQ(payload["finished_at"], "2026-11-25T03:00:12Z");

    nlohmann::json roles = nlohmann::json::parse(webhook_payload(completed_roles_notice()));
    EXPECT_EQ(roles["text"], "[lokbackup] backup 43 of the roles completed on server db1");
    EXPECT_TRUE(roles["database"].is_null());
    EXPECT_EQ(roles["contents"], "roles");
    EXPECT_TRUE(roles["error"].is_null());
    EXPECT_EQ(roles["size"], 1234567);
    EXPECT_EQ(roles["raw_size"], 9876543);
    EXPECT_EQ(roles["sha256"], "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    BackupNotice base_backup = completed_roles_notice();
    base_backup.base_backup = true;
    nlohmann::json cluster = nlohmann::json::parse(webhook_payload(base_backup));
    EXPECT_EQ(cluster["text"],
              "[lokbackup] backup 43 of the cluster (a base backup) completed on server db1");
    EXPECT_TRUE(cluster["database"].is_null());
    EXPECT_EQ(cluster["contents"], "cluster");
    EXPECT_NE(notice_text(base_backup).find("database:     (the cluster: a base backup)\n"),
              std::string::npos);
}

TEST(NotificationTest, WebhookPayloadSurvivesBytesThatAreNotUtf8)
{
    BackupNotice notice = test::failed_notice();
    notice.error = "pg_dump: erreur: r\xf4le inconnu"; // Latin-1
    nlohmann::json payload = nlohmann::json::parse(webhook_payload(notice));
    EXPECT_EQ(payload["error"], "pg_dump: erreur: r\xEF\xBF\xBDle inconnu");
}

} // namespace
} // namespace lokbackup
