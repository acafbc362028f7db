// How a backup is replayed into a database: the program that reads the dump on stdin, and what it
// needs to connect. Shared by `lokbackup restore` and the restores of `lokbackup serve`.
#pragma once

#include "cli/restore/backup_plan.hpp"
#include "cli/connection.hpp"
#include "core/pipeline/restore_pipeline.hpp"

#include <string>

namespace lokbackup::cli
{

// psql for a plain dump or a roles dump, pg_restore for a custom one, connecting to `target`.
// Throws Error when the psql found has no \restrict, which a script replay needs.
Replay replay_command(const BackupPlan &plan, const ConnectionOptions &connection,
                      const std::string &target);

} // namespace lokbackup::cli
