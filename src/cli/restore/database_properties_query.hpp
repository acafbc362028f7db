// Reading a database's own properties (core/backup/database_properties.hpp) from the server.
#pragma once

#include "cli/connection.hpp"
#include "core/backup/database_properties.hpp"

namespace lokbackup::cli
{

// The properties of the database that `connection` is connected to, as its snapshot shows them.
DatabaseProperties read_database_properties(Connection &connection);

} // namespace lokbackup::cli
