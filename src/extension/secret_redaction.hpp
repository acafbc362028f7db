// Keeps the values of secret settings out of the server log. PostgreSQL logs a changed setting's
// new value on reload ("parameter ... changed to ...") and quotes a rejected one; for the S3 keys,
// the SMTP password and the webhook URL, an emit_log_hook cuts the value from such messages.
#pragma once

namespace lokbackup::pg
{

void install_secret_redaction();

} // namespace lokbackup::pg
