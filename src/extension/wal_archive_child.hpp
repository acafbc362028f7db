// The archiver's end of the pipes to the WAL archive child, `lokbackup wal-archive-child` (its own
// end is cli/server_helpers/wal_archive_child.cpp): one long-lived child archives file after file,
// so that the data path runs outside the server and no process is started per segment. The
// settings, with any secrets, go to its stdin once; then one request per file; its answers come
// back on its stdout, one line each. Its stderr is the archiver's: the server log.
#pragma once

#include "extension/postgres.hpp"

namespace lokbackup::pg
{

// The settings in force as the child takes them (one line of JSON, with the S3 keys): storage,
// the second destination, compression and encryption as backups use them. Raises an error saying
// what is wrong with them.
char *wal_archive_settings();

// Starts the child with `settings` unless one runs with exactly these; a child started with other
// settings (changed by a reload), or that has ended, is replaced.
void start_wal_archive_child(const char *settings);
// Hands the running child one file; returns the descriptor its answer comes on.
int send_wal_archive_request(const char *path, const char *file);

enum class ChildAnswer { not_yet, answered, ended };
// Reads what the child wrote, without blocking; `*line` is the answer when answered.
ChildAnswer read_wal_archive_answer(char **line);

struct WalArchiveResult {
    bool archived;
    uint64 raw_bytes;
    uint64 stored_bytes; // 0 when the object was stored already
    char *error;         // when not archived
    char *copy_error;    // archived, but its optional copy failed: why
};
// Raises an error when the line is not an answer about `file`.
WalArchiveResult parse_wal_archive_answer(const char *line, const char *file);

// Kills and reaps the child, if one runs; raises no error.
void stop_wal_archive_child() noexcept;

} // namespace lokbackup::pg
