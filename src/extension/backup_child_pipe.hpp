// The worker's end of the pipes to the backup child, `lokbackup backup-child` (its own end is
// cli/server_helpers/backup_child_main.cpp): the worker starts it for the data path of one backup
// (pg_dump, compression, hashing, storage), so that a crash there never takes the server down.
// The request, with any secrets, goes to the child's stdin; its events come back on its stdout.
#pragma once

#include "extension/postgres.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "nodes/pg_list.h"
}

#include "extension/catalog.hpp"

namespace lokbackup::pg
{

struct ChildRequest {
    int64 id;
    const StartedBackup *backup; // written to its row's storage
    const RowStorage *copy;      // and to this second destination; NULL: none
    bool copy_required;          // the backup completes only with its copy
    const char *connect_database;
    const char *pg_bin_dir;
    const char *socket_dir;
    int port;
    const char *user;
};

// The server's bin directory: where pg_dump, pg_dumpall and the lokbackup program are.
char *server_bin_directory();

// The first of unix_socket_directories, where the children connect to this server; raises an
// error when there is none.
char *first_socket_directory();

// The worker runs this many children at most at once: the roles dump's and one database's.
constexpr int max_backup_children = 2;

// Starts a child in `slot` (0 .. max_backup_children - 1, free) and hands it the request; returns
// the descriptor of its stdout.
int start_backup_child(int slot, const char *program, const ChildRequest &request);

// The child's stderr in `slot` (it and the pg_dump under it write there), for the worker's wait;
// -1 once it is closed.
int backup_child_stderr_fd(int slot);
// What the child in `slot` wrote to stderr: one read, or with `to_end` (the child has ended)
// everything there is. Returns the complete lines, printable and bounded (core/base/log_lines.hpp),
// as a List of char *; closes the stderr at its end.
List *read_backup_child_stderr(int slot, bool to_end);

enum class ChildEventKind { progress, completed, failed };
struct ChildEvent {
    ChildEventKind kind;
    uint64 raw_bytes;
    uint64 stored_bytes;
    // Progress only: what storage acknowledged, since when the backup waits for it (0: it does
    // not) and the last retried storage request's error (NULL: none).
    uint64 uploaded_bytes;
    TimestampTz waiting_since;
    char *storage_problem;
    char *sha256;              // completed only
    char *database_properties; // completed only: JSON, NULL for the roles
    char *inventory;           // completed only: JSON, NULL for the roles
    WalRangeColumns wal_range; // completed only: of a base backup (zeros for a dump)
    // Completed only, with a second destination: whether the copy was stored there, and why not
    // (NULL when it was).
    bool copy_reported;
    bool copy_stored;
    char *copy_error;
    char *error; // failed only
};
ChildEvent parse_child_event(const char *line);

// The application_name of the server sessions of backup `id` (backup_request.hpp in core).
char *backup_session_name(int64 id);

// SIGKILL to the child in `slot` and everything it started (its process group).
void kill_backup_child(int slot);
// Reaps the child in `slot`, which frees the slot; returns NULL when it exited with code 0 (or no
// child was there), else how it ended ("exited with code 1", "was terminated by signal 9
// (Killed)").
char *wait_backup_child(int slot);
// SIGKILL to every child, as kill_backup_child() does; raises no error.
void kill_backup_children();
// Kills and reaps every child.
void end_backup_children();

} // namespace lokbackup::pg
