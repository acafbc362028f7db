// One restore, as `lokbackup restore` and the dashboard run it: the same checks, a fresh database
// created from template0 with the backup's recorded properties, the same swap over an existing
// database and the same cleanup of what it created. Its callers only ask and report.
//
// By default the whole object is read once and its size and SHA-256 checked against the plan (the
// catalog's record, the manifest, or --sha256) before anything is created or replayed: the replay
// itself commits only once its own read matched, but the statements of an object swapped in
// storage would have run as the restoring role by then. The replay's read is checked again, so a
// swap between the two reads still fails the commit.
//
// A database backup always replays into a database that this flow has just created: the target
// itself when it does not exist, else a side database "<target>_restoring_<id>". Only when the
// replay committed (which it does only after the object's checksum matched) and the properties
// were applied, the side database takes the target's name: the target's sessions are terminated,
// it is renamed "<target>_before_restore_<id>" (and dropped with drop_previous), the side database
// renamed to the target. On any failure before that, the target is as it was and the database the
// flow created is dropped. A side database that a killed restore left is dropped by the next
// restore of the same backup into the same target; two such restores never run at once.
#pragma once

#include "cli/restore/backup_plan.hpp"
#include "cli/connection.hpp"
#include "core/backup/database_properties.hpp"
#include "core/pipeline/restore_pipeline.hpp"

#include <cstdint>
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
    // Read and verify the whole object before anything is created or replayed (a roles backup
    // always is); false replays during the first read, trusting the storage until the commit.
    bool verify_first = true;
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

// What a restore reads the object for when it reports progress.
enum class RestoreStep { verifying, replaying };
// "verifying", "replaying"
const char *restore_step_name(RestoreStep step);
using RestoreFlowProgress = std::function<void(RestoreStep step, std::uint64_t stored_bytes_read)>;

struct RestoreOutcome {
    // The copy whose object was restored (its storage is empty with --from and with a catalog
    // older than 0.7.0, which know one place only), and how many there were to choose from.
    BackupCopy copy;
    std::size_t copies = 1;
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

    // Whether run() verifies the object before it creates or replays anything.
    bool verifies_first() const;

    // Throws Error when the restore failed; the target is then as it was, and when the object
    // failed the verification before the replay, nothing was created or changed. `progress`
    // (may be empty) may throw to stop the restore (the program was interrupted): it is called
    // for every part of the object read, and once more when the replay has ended, before the
    // swap.
    RestoreOutcome run(const RestoreFlowProgress &progress);

  private:
    // Refuses a second restore of this backup into the same target while this one runs.
    void hold_restore_lock();
    // Refuses a backup that a newer major version than the server's made.
    void check_server_version(Connection &admin);
    void check_target(Connection &admin);
    void load_properties();
    // Chooses the copy to restore from (copy_choice.hpp): the first whose object is intact, read
    // whole and checked, or with `verify_first` false, the first whose object opens. Throws what
    // choose_copy() throws, saying that nothing was replayed.
    void choose_intact_copy(const RestoreFlowProgress &progress);
    RestoreOutcome run_roles(const RestoreFlowProgress &progress);
    // Creates `database`, replays into it and applies the properties; drops it on failure.
    void restore_into(const std::string &database, const RestoreFlowProgress &progress,
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
    BackupCopy copy_; // the one choose_intact_copy() chose
};

} // namespace lokbackup::cli
