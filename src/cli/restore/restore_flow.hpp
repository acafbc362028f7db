// One restore, as `lokbackup restore` and the dashboard run it: the same checks, a fresh database
// created from template0 with the backup's recorded properties, the same swap over an existing
// database and the same cleanup of what it created. Its callers only ask and report.
//
// A database backup always replays into a database that this flow has just created: the target
// itself when it does not exist, else a side database "<target>_restoring_<id>". Only when the
// replay committed (which it does only after the object's checksum matched) and the properties
// were applied, the side database takes the target's name: the target's sessions are terminated,
// it is renamed "<target>_before_restore_<id>" (and dropped with drop_previous), the side database
// renamed to the target. On any failure before that, the target is as it was and the database the
// flow created is dropped. A side database that a killed restore left is dropped by the next
// restore of the same backup into the target; two such restores never run at once.
#pragma once

#include "cli/restore/backup_plan.hpp"
#include "cli/connection.hpp"
#include "core/backup/database_properties.hpp"
#include "core/pipeline/restore_pipeline.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lokbackup::cli
{

struct RestoreRequest {
    BackupPlan plan;
    std::string target;
    bool drop_previous = false;          // drop the replaced database once the swap is done
    bool allow_catalog_database = false; // the target may be the catalog database
};

// A restore that must not run, refused before anything was created or changed. what() has the
// hint on a line of its own, as psql shows one.
class RestoreRefused : public Error
{
  public:
    RestoreRefused(const std::string &message, const std::string &hint)
        : Error(message + "\nHINT:  " + hint), primary(message), hint(hint)
    {
    }
    std::string primary;
    std::string hint;
};

// Drops `name` if it exists, ending its sessions.
void drop_database(Connection &admin, const std::string &name);

// "backup 5 (database \"app\", 1.2 MB)"
std::string describe_backup(const BackupPlan &plan);

// A connection as the restoring role to a database (the flow's own statements).
using AdminConnector = std::function<std::unique_ptr<Connection>(const std::string &database)>;
// The replay of the plan's object into a database.
using ReplayInto = std::function<Replay(const std::string &database)>;

struct RestoreOutcome {
    std::string previous;              // the replaced database's new name; empty when none is kept
    std::vector<std::string> warnings; // properties that could not be applied, and the like
};

class RestoreFlow
{
  public:
    // Reads the target's state and the backup's properties (from the catalog, else from its
    // manifest); throws RestoreRefused for a target that must not be restored into (a template
    // database, the catalog database unless allowed, a leftover of an interrupted restore in the
    // way).
    RestoreFlow(RestoreRequest request, AdminConnector connect, ReplayInto replay_into);

    bool target_exists() const { return target_exists_; }
    // What run() will do to the existing target, for the person who confirms it.
    std::string what_happens() const;
    // The warnings known before the run (a backup without recorded properties).
    const std::vector<std::string> &warnings() const { return warnings_; }

    // Throws Error when the restore failed; the target is then as it was. `progress` may throw
    // to stop the restore (the program was interrupted): it is called for every part of the
    // object read, and once more when the replay has ended, before the swap.
    RestoreOutcome run(const RestoreProgress &progress);

  private:
    // Refuses a second restore of this backup into the same target while this one runs.
    void hold_restore_lock();
    // Refuses a backup that a newer major version than the server's made.
    void check_server_version(Connection &admin);
    void check_target(Connection &admin);
    void load_properties();
    RestoreOutcome run_roles(const RestoreProgress &progress);
    // Creates `database`, replays into it and applies the properties; drops it on failure.
    void restore_into(const std::string &database, const RestoreProgress &progress,
                      RestoreOutcome &outcome);
    void swap(Connection &admin, RestoreOutcome &outcome);
    // A database to connect to for the flow's own statements: neither the target nor the side.
    std::unique_ptr<Connection> admin();

    RestoreRequest request_;
    AdminConnector connect_;
    ReplayInto replay_into_;
    bool target_exists_ = false;
    std::string target_size_; // empty when not visible
    std::string side_;
    std::string previous_;
    // Holds the restore's lock from the start to the end of the flow.
    std::unique_ptr<Connection> guard_;
    bool leftover_side_ = false; // the side database is there, left by a killed restore
    std::optional<DatabaseProperties> properties_;
    bool properties_recorded_ = false; // from the catalog, not from the manifest
    std::vector<std::string> warnings_;
};

} // namespace lokbackup::cli
