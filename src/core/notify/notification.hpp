// What a notification about one finished backup says; smtp_mail.hpp and webhook.hpp deliver it.
#pragma once

#include <cstdint>
#include <string>

namespace lokbackup
{

// A notice about one backup, or about a scheduled run that made none (a run notice: backup_id 0,
// no database; status says what became of it, started_at is when it was due), or about WAL
// archiving that keeps failing (a WAL notice: wal_file is set; started_at is when it began to
// fail, error the last failure).
struct BackupNotice {
    std::string server;         // the server's name (cluster_name, or the host name)
    std::string database;       // empty: the roles dump or a base backup
    bool base_backup = false;   // a base backup of the cluster
    std::int64_t backup_id = 0; // 0: a run notice
    std::int64_t drill_id = 0;  // a restore drill's notice: the drill; 0 otherwise
    std::string type;           // daily, weekly, monthly, manual
    std::string status;         // completed or failed
    std::string error;          // why it failed; empty when it completed
    std::uint64_t size = 0;     // stored (compressed) bytes
    std::uint64_t raw_size = 0; // bytes pg_dump produced
    // Of the stored object; empty when it failed. A restore can pin it (lokbackup restore
    // --sha256), so that a manifest replaced in storage cannot pass for the backup.
    std::string sha256;
    double duration_seconds = 0;
    std::string started_at;  // ISO 8601 UTC
    std::string finished_at; // ISO 8601 UTC
    std::string wal_file;    // a WAL notice: the file that the archiver could not archive
};

// How long one delivery may take: a mail server or webhook that does not answer must not hold up
// the worker that sends the notice.
struct DeliveryTimeouts {
    long connect_seconds = 10;
    long total_seconds = 30;
};

bool is_run_notice(const BackupNotice &notice);
bool is_wal_notice(const BackupNotice &notice);

// `backup 42 of "app" failed`, `backup 43 of the roles completed`,
// `the scheduled backup run due at 2026-11-25T03:00:00Z was refused`.
std::string notice_headline(const BackupNotice &notice);

// The notice for people: the headline with the server, then one fact a line, then the error.
// Lines end with "\n".
std::string notice_text(const BackupNotice &notice);

} // namespace lokbackup
