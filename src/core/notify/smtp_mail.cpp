#include "core/notify/smtp_mail.hpp"

#include "core/http/curl_session.hpp"
#include "core/base/error.hpp"
#include "core/notify/mail_message.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>

namespace lokbackup
{

namespace
{

constexpr const char *protocols = "smtp,smtps";

struct CheckedSettings {
    std::string target;
    Mailbox from;
    std::vector<Mailbox> to;
};

CheckedSettings checked(const MailSettings &settings)
{
    CheckedSettings result{url_target(settings.url, protocols, "mail server URL"),
                           parse_mailbox(settings.from, "from"),
                           parse_mailbox_list(settings.to, "to")};
    if (settings.user.empty() && !settings.password.empty())
        throw InvalidValue("a mail password is set but no mail user: set both, or neither");
    return result;
}

// The password never travels in clear, where whoever strips STARTTLS from the server's greeting
// would read it: with a user, `optional` means required; only an explicit `never` allows it.
long use_ssl(const MailSettings &settings)
{
    switch (settings.starttls) {
    case StartTls::never:
        return CURLUSESSL_NONE;
    case StartTls::optional:
        return settings.user.empty() ? CURLUSESSL_TRY : CURLUSESSL_ALL;
    case StartTls::required:
        return CURLUSESSL_ALL;
    }
    return CURLUSESSL_ALL;
}

// What to do when TLS could not be had: said in the error, since the fix is in the settings.
std::string without_tls_hint(const MailSettings &settings)
{
    if (settings.starttls == StartTls::optional && !settings.user.empty())
        return "; lokbackup sends the mail password only over TLS: use a server that offers "
               "STARTTLS, or smtps://, or set lokbackup.smtp_starttls = never to send it in "
               "clear (a trusted network only)";
    return "; the mail server must offer STARTTLS (lokbackup.smtp_starttls = required)";
}

// The message, handed to libcurl piece by piece.
struct Upload {
    std::string_view rest;

    static std::size_t read(char *buffer, std::size_t size, std::size_t count, void *self)
    {
        std::string_view &rest = static_cast<Upload *>(self)->rest;
        std::size_t length = std::min(size * count, rest.size());
        std::memcpy(buffer, rest.data(), length);
        rest.remove_prefix(length);
        return length;
    }
};

} // namespace

StartTls parse_start_tls(std::string_view name)
{
    if (name == "never")
        return StartTls::never;
    if (name == "optional")
        return StartTls::optional;
    if (name == "required")
        return StartTls::required;
    throw InvalidValue("invalid STARTTLS mode \"" + std::string(name) +
                       "\": use never, optional or required");
}

void check_mail_settings(const MailSettings &settings)
{
    checked(settings);
}

void send_mail(const MailSettings &settings, const BackupNotice &notice)
{
    CheckedSettings mail = checked(settings);
    std::string message = mail_message(notice, mail.from, mail.to, std::time(nullptr));

    CurlSession session(settings.url, protocols, settings.timeouts);
    session.hide(settings.password);
    session.set(CURLOPT_USE_SSL, use_ssl(settings));
    if (!settings.user.empty()) {
        session.set(CURLOPT_USERNAME, settings.user.c_str());
        session.set(CURLOPT_PASSWORD, settings.password.c_str());
    }
    session.set(CURLOPT_MAIL_FROM, ("<" + mail.from.address + ">").c_str());
    std::vector<std::string> recipients;
    for (const Mailbox &mailbox : mail.to)
        recipients.push_back("<" + mailbox.address + ">");
    session.set_list(CURLOPT_MAIL_RCPT, recipients);
    Upload upload{message};
    session.set(CURLOPT_READFUNCTION, &Upload::read);
    session.set(CURLOPT_READDATA, static_cast<void *>(&upload));
    session.set(CURLOPT_UPLOAD, 1L);
    try {
        session.perform("could not send mail through " + mail.target);
    } catch (const Error &error) {
        std::string failure = error.what();
        if (failure.find(curl_easy_strerror(CURLE_USE_SSL_FAILED)) == std::string::npos)
            throw;
        throw Error(failure + without_tls_hint(settings));
    }
}

} // namespace lokbackup
