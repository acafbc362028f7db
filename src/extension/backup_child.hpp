// The backup child, `lokbackup backup-child`: the worker starts it for the data path of one backup
// (pg_dump, compression, hashing, storage), so that a crash there never takes the server down.
// The request, with any secrets, goes to the child's stdin; its events come back on its stdout.
#pragma once

extern "C" {
#include "postgres.h"
}

#include "extension/catalog.hpp"

namespace lokbackup::pg
{

struct ChildRequest {
    int64 id;
    const StartedBackup *backup;
    const char *storage;
    const char *connect_database;
    const char *pg_bin_dir;
    const char *socket_dir;
    int port;
    const char *user;
};

// Starts the child and hands it the request; returns the descriptor of its stdout.
int start_backup_child(const char *program, const ChildRequest &request);

enum class ChildEventKind { progress, completed, failed };
struct ChildEvent {
    ChildEventKind kind;
    uint64 raw_bytes;
    uint64 stored_bytes;
    char *sha256; // completed only
    char *error;  // failed only
};
ChildEvent parse_child_event(const char *line);

// SIGKILL to the child and everything it started (its process group).
void kill_backup_child();
// Reaps the child; returns NULL when it exited with code 0, else how it ended
// ("exited with code 1", "was terminated by signal 9 (Killed)").
char *wait_backup_child();

} // namespace lokbackup::pg
