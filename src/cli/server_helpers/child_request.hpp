// What every child of the worker (backup-child, drill-child, storage-ids, notify) starts with: no
// arguments, and its request as JSON on stdin, where secrets travel (never in argv).
#pragma once

#include <string>
#include <vector>

namespace lokbackup::cli
{

// Throws UsageError when `arguments` are not empty; returns all of stdin.
std::string read_child_request(const char *command, const std::vector<std::string> &arguments);

} // namespace lokbackup::cli
