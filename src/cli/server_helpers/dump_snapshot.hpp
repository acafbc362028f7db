// The snapshot a database backup is dumped from: the backup child exports it from a transaction of
// its own and keeps that open until the dump is done, so that what it reads from the snapshot holds
// for the dump.
#pragma once

#include "cli/connection.hpp"
#include "core/pipeline/backup_pipeline.hpp"
#include "core/backup/backup_request.hpp"

namespace lokbackup::cli
{

class HeldSnapshot
{
  public:
    // Connects to the request's database. Throws Error when that or the export fails.
    explicit HeldSnapshot(const BackupRequest &request);
    // snapshot() reads through this object's connection.
    HeldSnapshot(const HeldSnapshot &) = delete;
    HeldSnapshot &operator=(const HeldSnapshot &) = delete;

    const DumpSnapshot &snapshot() const { return snapshot_; }

  private:
    Connection connection_;
    DumpSnapshot snapshot_;
};

} // namespace lokbackup::cli
