#include "cli/web_errors.hpp"

namespace lokbackup::cli
{

int http_status_of(const ServerError &error)
{
    const std::string &code = error.sqlstate;
    if (code == "42501") // insufficient_privilege
        return 403;
    if (code == "P0002") // no_data_found
        return 404;
    if (code == "55006" || code == "55000" || code == "25006" || code == "42P04")
        return 409;               // object_in_use, object_not_in_prerequisite_state, read_only,
                                  // duplicate_database
    if (code.rfind("22", 0) == 0) // data exceptions: invalid value, NULL, out of range
        return 400;
    return 500;
}

} // namespace lokbackup::cli
