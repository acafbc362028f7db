// What every child of the server (backup-child, drill-child, storage-ids, notify, and the
// archiver's wal-archive-child, which reads line by line) starts with: no
// arguments, and its request as JSON on stdin, where secrets travel (never in argv).
#pragma once

#include <string>
#include <vector>

namespace lokbackup::cli
{

// Throws UsageError when `arguments` are not empty.
void check_child_arguments(const char *command, const std::vector<std::string> &arguments);
// As check_child_arguments(); returns all of stdin.
std::string read_child_request(const char *command, const std::vector<std::string> &arguments);

} // namespace lokbackup::cli
