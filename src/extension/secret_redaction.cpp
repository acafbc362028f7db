#include "extension/secret_redaction.hpp"

#include "extension/postgres.hpp"

extern "C" {
#include "utils/elog.h"
}

#include "extension/settings.hpp"

namespace lokbackup::pg
{

static emit_log_hook_type previous_emit_log_hook = nullptr;

// Cuts the message after the quoted name of a secret setting, where PostgreSQL puts its value.
static void redact(ErrorData *error)
{
    if (error->message == nullptr)
        return;
    static const char marker[] = "parameter \"lokbackup.";
    const char *start = strstr(error->message, marker);
    if (start == nullptr)
        return;
    const char *name = start + strlen("parameter \"");
    const char *name_end = strchr(name, '"');
    if (name_end == nullptr)
        return;
    char setting[NAMEDATALEN];
    strlcpy(setting, name, Min(sizeof(setting), static_cast<size_t>(name_end - name) + 1));
    if (!is_secret_setting(setting))
        return;
    // ErrorContext holds the message; the new one goes there too.
    error->message = psprintf("%.*s (value hidden)",
                              static_cast<int>(name_end + 1 - error->message), error->message);
}

static void redact_secret_settings(ErrorData *error)
{
    redact(error);
    if (previous_emit_log_hook)
        previous_emit_log_hook(error);
}

void install_secret_redaction()
{
    previous_emit_log_hook = emit_log_hook;
    emit_log_hook = redact_secret_settings;
}

} // namespace lokbackup::pg
