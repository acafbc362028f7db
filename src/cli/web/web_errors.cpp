#include "cli/web/web_errors.hpp"

#include <set>

namespace lokbackup::cli
{

namespace
{

// object_in_use, object_not_in_prerequisite_state, read_only_sql_transaction,
// duplicate_database, feature_not_supported (a download URL of local storage)
const std::set<std::string> conflicts = {"55006", "55000", "25006", "42P04", "0A000"};

} // namespace

int http_status_of(const ServerError &error)
{
    const std::string &code = error.sqlstate;
    if (code == "42501") // insufficient_privilege
        return 403;
    if (code == "P0002") // no_data_found
        return 404;
    if (conflicts.count(code))
        return 409;
    // Connection exceptions, insufficient resources (too many connections, disk full).
    if (code.rfind("08", 0) == 0 || code.rfind("53", 0) == 0)
        return 503;
    // Data exceptions: an invalid value, NULL, a number out of range.
    if (code.rfind("22", 0) == 0)
        return 400;
    return 500;
}

} // namespace lokbackup::cli
