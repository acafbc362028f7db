#include "core/notify/notify_request.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace lokbackup
{
namespace
{

using test::error_message;

MailSettings mail_settings()
{
    MailSettings mail;
    mail.url = "smtp://mail.example.com:587";
    mail.starttls = StartTls::required;
    mail.user = "backup";
    mail.password = "p\"ass\\word";
    mail.from = "lokbackup <backup@example.com>";
    mail.to = "dba@example.com, ops@example.com";
    return mail;
}

TEST(NotifyRequest, AWalNoticeKeepsItsFile)
{
    NotifyRequest request;
    request.notice = test::failed_notice();
    request.notice.backup_id = 0;
    request.notice.wal_file = "0000000A.history";
    EXPECT_EQ(notify_request_from_json(notify_request_to_json(request)).notice.wal_file,
              "0000000A.history");
}

TEST(NotifyRequest, RoundTripsWithBothTargets)
{
    NotifyRequest request;
    request.notice = test::failed_notice();
    request.notice.size = 123456789012;
    request.notice.raw_size = 987654321098;
    request.notice.sha256 = std::string(64, 'a');
    request.mail = mail_settings();
    request.webhook = WebhookSettings{"https://hooks.example.com/services/SECRET", {}};

    NotifyRequest back = notify_request_from_json(notify_request_to_json(request));
    const BackupNotice &notice = back.notice;
    EXPECT_EQ(notice.server, "db1");
    EXPECT_EQ(notice.database, "app");
    EXPECT_EQ(notice.backup_id, 42);
    EXPECT_EQ(notice.type, "daily");
    EXPECT_EQ(notice.status, "failed");
    EXPECT_EQ(notice.error, request.notice.error);
    EXPECT_EQ(notice.size, 123456789012u);
    EXPECT_EQ(notice.raw_size, 987654321098u);
    EXPECT_EQ(notice.sha256, std::string(64, 'a'));
    EXPECT_EQ(notice.started_at, "2026-11-25T03:00:00Z");
    EXPECT_EQ(notice.finished_at, "2026-11-25T03:00:12Z");
    ASSERT_TRUE(back.mail);
    EXPECT_EQ(back.mail->url, "smtp://mail.example.com:587");
    EXPECT_EQ(back.mail->starttls, StartTls::required);
    EXPECT_EQ(back.mail->user, "backup");
    EXPECT_EQ(back.mail->password, "p\"ass\\word");
    EXPECT_EQ(back.mail->from, "lokbackup <backup@example.com>");
    EXPECT_EQ(back.mail->to, "dba@example.com, ops@example.com");
    ASSERT_TRUE(back.webhook);
    EXPECT_EQ(back.webhook->url, "https://hooks.example.com/services/SECRET");
}

TEST(NotifyRequest, ADrillIdRoundTripsAndAnOlderWorkerSendsNone)
{
    NotifyRequest request;
    request.notice = test::failed_notice();
    request.notice.drill_id = 9;
    EXPECT_EQ(notify_request_from_json(notify_request_to_json(request)).notice.drill_id, 9);
    nlohmann::ordered_json older = nlohmann::ordered_json::parse(notify_request_to_json(request));
    older["notice"].erase("drill_id");
    EXPECT_EQ(notify_request_from_json(older.dump()).notice.drill_id, 0);
}

TEST(NotifyRequest, ABaseBackupRoundTripsAndAnOlderWorkerSendsNone)
{
    NotifyRequest request;
    request.notice = test::failed_notice();
    request.notice.database = "";
    request.notice.base_backup = true;
    EXPECT_TRUE(notify_request_from_json(notify_request_to_json(request)).notice.base_backup);
    nlohmann::ordered_json older = nlohmann::ordered_json::parse(notify_request_to_json(request));
    older["notice"].erase("base_backup");
    EXPECT_FALSE(notify_request_from_json(older.dump()).notice.base_backup);
}

TEST(NotifyRequest, EveryStartTlsModeRoundTrips)
{
    for (StartTls mode : {StartTls::never, StartTls::optional, StartTls::required}) {
        NotifyRequest request;
        request.mail = mail_settings();
        request.mail->starttls = mode;
        EXPECT_EQ(notify_request_from_json(notify_request_to_json(request)).mail->starttls, mode);
    }
}

TEST(NotifyRequest, TargetsLeftOutStayOut)
{
    NotifyRequest request;
    request.notice = test::failed_notice();
    NotifyRequest back = notify_request_from_json(notify_request_to_json(request));
    EXPECT_FALSE(back.mail);
    EXPECT_FALSE(back.webhook);
    request.webhook = WebhookSettings{"http://127.0.0.1/hook", {}};
    back = notify_request_from_json(notify_request_to_json(request));
    EXPECT_FALSE(back.mail);
    EXPECT_TRUE(back.webhook);
}

TEST(NotifyRequest, DurationIsRoundedToWholeSeconds)
{
    NotifyRequest request;
    for (auto [seconds, whole] : {std::pair{12.4, 12.0}, {12.5, 13.0}, {0.2, 0.0}}) {
        request.notice.duration_seconds = seconds;
        EXPECT_EQ(notify_request_from_json(notify_request_to_json(request)).notice.duration_seconds,
                  whole)
            << seconds;
    }
}

TEST(NotifyRequest, MalformedRequestsAreRefused)
{
    for (std::string text : {"", "not json", "[]", "{}", R"({"mail": {}})"})
        EXPECT_EQ(error_message([&] { notify_request_from_json(text); }),
                  "notify request: not a JSON object with a notice")
            << text;
    std::string valid = notify_request_to_json(NotifyRequest{});
    std::string without_server = valid;
    without_server.replace(without_server.find("\"server\""), 8, "\"host\"");
    EXPECT_EQ(error_message([&] { notify_request_from_json(without_server); }),
              "notify request: field \"server\" is missing or not a string");

    NotifyRequest with_mail;
    with_mail.mail = mail_settings();
    std::string text = notify_request_to_json(with_mail);
    text.replace(text.find("\"required\""), 10, "\"sometimes\"");
    std::string message = error_message([&] { notify_request_from_json(text); });
    EXPECT_EQ(message.rfind("notify request: field \"starttls\": ", 0), 0u) << message;
}

TEST(NotifyRequest, EveryTargetIsTriedWhenOneFails)
{
    NotifyRequest request;
    request.notice = test::failed_notice();
    request.mail = mail_settings();
    request.mail->url = "http://mail.example.com"; // not an SMTP URL: fails before connecting
    request.webhook = WebhookSettings{"ftp://hooks.example.com/SECRET", {}};
    std::vector<std::string> failures = deliver_notice(request);
    ASSERT_EQ(failures.size(), 2u);
    EXPECT_NE(failures[0].find("invalid mail server URL"), std::string::npos) << failures[0];
    EXPECT_NE(failures[1].find("invalid webhook URL"), std::string::npos) << failures[1];
    for (const std::string &failure : failures) {
        EXPECT_EQ(failure.find("SECRET"), std::string::npos) << failure;
        EXPECT_EQ(failure.find("ass\\word"), std::string::npos) << failure;
    }
    EXPECT_TRUE(deliver_notice(NotifyRequest{}).empty());
}

} // namespace
} // namespace lokbackup
