// The errors of `lokbackup serve`'s API: each becomes a JSON body {"error", "hint"} with an HTTP
// status that says whose fault it is.
#pragma once

#include "cli/connection.hpp"
#include "core/base/error.hpp"

#include <string>

namespace lokbackup::cli
{

class HttpError : public Error
{
  public:
    HttpError(int status, const std::string &message, std::string hint = "")
        : Error(message), status(status), hint(std::move(hint))
    {
    }

    int status;
    std::string hint;
    long long retry_after = 0; // seconds, sent as Retry-After when not 0 (429, 503)
};

// 400 for a bad value, 403 for a missing privilege, 404 for no such backup, 409 for a state that
// forbids the call (a backup is running, the server is a standby, local storage has no download
// URLs), else 500.
int http_status_of(const ServerError &error);

} // namespace lokbackup::cli
