// Delivery of notices to real servers on 127.0.0.1: an SMTP server (smtp_sink.py, on Debian's
// python3-aiosmtpd) and an HTTP server (webhook_sink.py), each writing what it receives to a
// directory that the test reads back.
#include "core/base/process.hpp"
#include "core/notify/smtp_mail.hpp"
#include "core/notify/webhook.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace lokbackup
{
namespace
{

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using test::error_message;

const std::string mail_user = "lokbackup";
const std::string mail_password = "s3cret-Pa55";

// One of the sink scripts beside this file, running for the life of the object.
class Sink
{
  public:
    Sink(const std::string &script, const std::vector<std::string> &arguments)
    {
        ProcessSpec spec;
        spec.argv = {"/usr/bin/python3", (fs::path(__FILE__).parent_path() / script).string(),
                     directory_.path().string()};
        spec.argv.insert(spec.argv.end(), arguments.begin(), arguments.end());
        spec.pipe_stdout = true;
        spec.own_process_group = true;
        process_.emplace(Process::spawn(spec));
        port_ = std::stoi(first_line(process_->stdout_fd()));
    }
    ~Sink()
    {
        process_->kill_group(SIGKILL);
        process_->wait();
    }
    Sink(const Sink &) = delete;
    Sink &operator=(const Sink &) = delete;

    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

    // What the server wrote about the n-th request it received, waiting up to 10 seconds.
    nlohmann::json received(int n) const
    {
        fs::path file = directory_.path() / (std::to_string(n) + ".json");
        for (auto deadline = Clock::now() + std::chrono::seconds(10); !fs::exists(file);) {
            if (Clock::now() > deadline)
                throw std::runtime_error("nothing received within 10 seconds");
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return nlohmann::json::parse(test::read_file(file));
    }

    bool received_nothing() const { return fs::is_empty(directory_.path()); }

  private:
    // The port the script prints once it listens; the script fails the test if it never does.
    static std::string first_line(int fd)
    {
        std::string line;
        auto deadline = Clock::now() + std::chrono::seconds(20);
        while (line.find('\n') == std::string::npos) {
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            pollfd ready{fd, POLLIN, 0};
            char buffer[64];
            ssize_t got = 0;
            if (left.count() <= 0 || poll(&ready, 1, static_cast<int>(left.count())) != 1 ||
                (got = read(fd, buffer, sizeof buffer)) <= 0)
                throw std::runtime_error("the sink did not start (is python3-aiosmtpd installed?)");
            line.append(buffer, static_cast<std::size_t>(got));
        }
        return line;
    }

    test::TempDir directory_;
    std::optional<Process> process_;
    int port_ = 0;
};

// A socket on 127.0.0.1 with a free port; listening (but never answering) when asked to.
class LocalSocket
{
  public:
    explicit LocalSocket(bool listening)
    {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
            getsockname(fd_, reinterpret_cast<sockaddr *>(&address), &length) != 0 ||
            (listening && listen(fd_, 4) != 0))
            throw std::runtime_error("cannot make a local socket");
        port_ = ntohs(address.sin_port);
    }
    ~LocalSocket() { close(fd_); }
    LocalSocket(const LocalSocket &) = delete;
    LocalSocket &operator=(const LocalSocket &) = delete;

    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  private:
    int fd_ = -1;
    int port_ = 0;
};

MailSettings mail_settings(const std::string &address)
{
    MailSettings settings;
    settings.url = "smtp://" + address;
    settings.user = mail_user;
    settings.password = mail_password;
    settings.from = "lokbackup <backup@example.com>";
    settings.to = "ops@example.com, Dana Admin <dana@example.com>";
    // The sink offers no STARTTLS: the password goes in clear only when this says so.
    settings.starttls = StartTls::never;
    return settings;
}

TEST(NotificationDeliveryTest, MailArrives)
{
    Sink server("smtp_sink.py", {mail_user, mail_password});
    send_mail(mail_settings(server.address()), test::failed_notice());

    nlohmann::json mail = server.received(1);
    EXPECT_EQ(mail["mail_from"], "backup@example.com");
    EXPECT_EQ(mail["rcpt_tos"], nlohmann::json::array({"ops@example.com", "dana@example.com"}));
    EXPECT_EQ(mail["login"], mail_user);
    EXPECT_EQ(mail["subject"], "[lokbackup] backup 42 of \"app\" failed");
    std::string body = mail["body"];
    EXPECT_NE(body.find("backup 42 of \"app\" failed on server db1"), std::string::npos) << body;
    EXPECT_NE(body.find("database:     app"), std::string::npos) << body;
    EXPECT_NE(body.find("role \"x\" does not exist"), std::string::npos) << body;
    std::string content = mail["content"];
    EXPECT_NE(content.find("\r\nMessage-ID: <lokbackup.42."), std::string::npos);
    EXPECT_EQ(content.find(mail_password), std::string::npos);
}

TEST(NotificationDeliveryTest, MailWithoutTheRequiredStartTlsIsRefused)
{
    Sink server("smtp_sink.py", {mail_user, mail_password});
    MailSettings settings = mail_settings(server.address());
    settings.starttls = StartTls::required;
    std::string message = error_message([&] { send_mail(settings, test::failed_notice()); });
    EXPECT_EQ(message.rfind("could not send mail through smtp://" + server.address() + ": ", 0), 0u)
        << message;
    EXPECT_NE(message.find("STARTTLS not supported"), std::string::npos) << message;
    EXPECT_TRUE(server.received_nothing());
}

TEST(NotificationDeliveryTest, PasswordIsNeverSentWithoutTlsUnlessStartTlsIsNever)
{
    Sink server("smtp_sink.py", {mail_user, mail_password});
    MailSettings settings = mail_settings(server.address());
    settings.starttls = StartTls::optional; // the default, with a server that offers no STARTTLS
    std::string message = error_message([&] { send_mail(settings, test::failed_notice()); });
    EXPECT_NE(message.find("STARTTLS not supported"), std::string::npos) << message;
    EXPECT_NE(message.find("lokbackup sends the mail password only over TLS"), std::string::npos)
        << message;
    EXPECT_NE(message.find("lokbackup.smtp_starttls = never"), std::string::npos) << message;
    EXPECT_TRUE(server.received_nothing());
}

TEST(NotificationDeliveryTest, MailWithoutCredentialsGoesWithoutTlsWhenOptional)
{
    Sink server("smtp_sink.py", {mail_user, mail_password});
    MailSettings settings = mail_settings(server.address());
    settings.user.clear();
    settings.password.clear();
    settings.starttls = StartTls::optional;
    send_mail(settings, test::failed_notice());
    EXPECT_EQ(server.received(1)["subject"], "[lokbackup] backup 42 of \"app\" failed");
}

TEST(NotificationDeliveryTest, RefusedLoginNeverShowsThePassword)
{
    Sink server("smtp_sink.py", {mail_user, mail_password});
    MailSettings settings = mail_settings(server.address());
    settings.password = "wrong-Pa55word";
    std::string message = error_message([&] { send_mail(settings, test::failed_notice()); });
    EXPECT_EQ(message, "could not send mail through smtp://" + server.address() + ": Login denied");
    EXPECT_EQ(message.find("wrong-Pa55word"), std::string::npos) << message;
    EXPECT_TRUE(server.received_nothing());
}

TEST(NotificationDeliveryTest, MailServerThatIsNotThereFailsAtOnce)
{
    std::string address = LocalSocket(false).address(); // closed again: nothing listens there
    auto start = Clock::now();
    std::string message =
        error_message([&] { send_mail(mail_settings(address), test::failed_notice()); });
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(message.rfind("could not send mail through smtp://" + address + ": ", 0), 0u)
        << message;
    EXPECT_EQ(message.find(mail_password), std::string::npos) << message;
}

TEST(NotificationDeliveryTest, WebhookReceivesJson)
{
    Sink server("webhook_sink.py", {"200"});
    send_webhook({"http://" + server.address() + "/services/T0/B0/SECRET", {}},
                 test::failed_notice());

    nlohmann::json request = server.received(1);
    EXPECT_EQ(request["path"], "/services/T0/B0/SECRET");
    EXPECT_EQ(request["content_type"], "application/json");
    nlohmann::json payload = nlohmann::json::parse(request["body"].get<std::string>());
    EXPECT_EQ(payload["text"], "[lokbackup] backup 42 of \"app\" failed on server db1: pg_dump: "
                               "error: connection to server failed: FATAL:  role \"x\" does not "
                               "exist");
    EXPECT_EQ(payload["database"], "app");
    EXPECT_EQ(payload["backup_id"], 42);
    EXPECT_EQ(payload["status"], "failed");
    EXPECT_EQ(payload["duration_seconds"], 12.5);
}

TEST(NotificationDeliveryTest, WebhookErrorStatusIsAFailure)
{
    Sink server("webhook_sink.py", {"500"});
    std::string message = error_message([&] {
        send_webhook({"http://" + server.address() + "/services/T0/B0/SECRET", {}},
                     test::failed_notice());
    });
    EXPECT_EQ(message, "webhook POST to http://" + server.address() +
                           " was answered with HTTP status 500: invalid_payload");
}

TEST(NotificationDeliveryTest, WebhookThatIsNotThereFailsAtOnce)
{
    std::string address = LocalSocket(false).address();
    auto start = Clock::now();
    std::string message = error_message([&] {
        send_webhook({"http://" + address + "/hook/SECRET", {}}, test::failed_notice());
    });
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(message.rfind("could not send webhook POST to http://" + address + ": ", 0), 0u)
        << message;
    EXPECT_EQ(message.find("SECRET"), std::string::npos) << message;
}

TEST(NotificationDeliveryTest, WebhookThatNeverAnswersTimesOut)
{
    LocalSocket silent(true); // the kernel completes the connection; nobody ever answers
    auto start = Clock::now();
    std::string message = error_message([&] {
        send_webhook({"http://" + silent.address() + "/hook", {2, 1}}, test::failed_notice());
    });
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(4));
    EXPECT_EQ(message.rfind("could not send webhook POST to http://" + silent.address() +
                                ": Timeout was reached",
                            0),
              0u)
        << message;
}

} // namespace
} // namespace lokbackup
