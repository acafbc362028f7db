#include "cli/backup_plan.hpp"
#include "cli/command.hpp"
#include "cli/confirmation.hpp"
#include "cli/connection.hpp"
#include "cli/object_source.hpp"
#include "cli/progress_display.hpp"
#include "cli/replay.hpp"
#include "core/human_units.hpp"
#include "core/restore_pipeline.hpp"

#include <iostream>

namespace lokbackup::cli
{

namespace
{

const char *const help = R"(lokbackup restore: restore a backup into a database, checksum verified

Usage:
  lokbackup restore latest|ID --dbname TARGET [OPTION]...

The backup is replayed in a single transaction that commits only after the whole object was read
and its size and SHA-256 matched the catalog: a damaged backup restores nothing.

Options:
  latest|ID                   the newest backup of --database, or the backup with this id
  --database NAME             the database whose latest backup to restore
  --dbname TARGET             the database to restore into (default for a roles backup: the
                              catalog database)
  --create                    create TARGET when it does not exist
  --yes                       overwrite an existing TARGET without asking
  --allow-catalog-database    allow TARGET to be the database that holds the lokbackup catalog

)";

std::string describe_backup(const BackupPlan &plan)
{
    std::string contents = plan.is_roles() ? "roles" : "database \"" + plan.database + "\"";
    return "backup " + std::to_string(plan.id) + " (" + contents + ", " +
           pretty_size(plan.raw_size) + ")";
}

// The size of `database`, when it exists: std::nullopt when it does not, "" when not visible.
std::optional<std::string> existing_database_size(Connection &catalog, const std::string &database)
{
    QueryResult result = catalog.query("SELECT CASE WHEN has_database_privilege(oid, 'CONNECT') "
                                       "THEN pg_size_pretty(pg_database_size(oid)) END "
                                       "FROM pg_database WHERE datname = $1",
                                       {database});
    if (result.rows() == 0)
        return std::nullopt;
    return result.value(0, 0);
}

// Makes sure that `target` exists and that overwriting it is what the person wants.
void prepare_target(Connection &catalog, const Arguments &arguments, const BackupPlan &plan,
                    const std::string &target)
{
    std::optional<std::string> size = existing_database_size(catalog, target);
    if (!size) {
        if (!arguments.flag("create"))
            throw Error("database \"" + target + "\" does not exist; pass --create to create it");
        catalog.query("CREATE DATABASE " + catalog.quote_identifier(target));
        std::cerr << "created database \"" << target << "\"\n";
        return;
    }
    if (arguments.flag("yes"))
        return;
    std::string what_happens =
        plan.is_roles()
            ? "Restoring " + describe_backup(plan) + " creates and alters the roles of the " +
                  "whole cluster (through database \"" + target + "\")."
            : "Restoring " + describe_backup(plan) + " into database \"" + target + "\" (" +
                  (size->empty() ? "size unknown" : *size) +
                  ") replaces every object of the backup that it holds.";
    confirm_overwrite(target, what_happens);
}

int restore(const std::vector<std::string> &argument_list)
{
    std::vector<OptionSpec> options = {{"dbname", 0, true},
                                       {"create", 0, false},
                                       {"yes", 0, false},
                                       {"allow-catalog-database", 0, false}};
    for (const auto &specs : {selector_option_specs(), ConnectionOptions::specs()})
        options.insert(options.end(), specs.begin(), specs.end());
    Arguments arguments("restore", options, argument_list);
    BackupSelector selector = BackupSelector::from(arguments);
    ConnectionOptions connection = ConnectionOptions::from(arguments);

    // Also where a missing target is created, and so needed with --from too.
    Connection catalog(connection, connection.catalog_database);
    BackupPlan plan = find_backup(selector, connection.catalog_database,
                                  [&]() -> Connection & { return catalog; });

    std::optional<std::string> target = arguments.value("dbname");
    if (!target && !plan.is_roles())
        throw UsageError("--dbname is required: name the database to restore into");
    if (!target)
        target = plan.catalog_database;
    if (!plan.is_roles() && *target == plan.catalog_database &&
        !arguments.flag("allow-catalog-database"))
        throw Error("database \"" + *target +
                    "\" holds the lokbackup catalog, which a restore into it would overwrite "
                    "too; pass --allow-catalog-database if that is what you want");
    prepare_target(catalog, arguments, plan, *target);

    if (plan.is_roles())
        verify_object(*open_location(plan.location), plan.expected());
    auto object = open_location(plan.location);
    {
        ProgressDisplay progress(plan.size);
        run_restore(*object, plan.expected(), replay_command(plan, connection, *target),
                    [&](std::uint64_t done) { progress.update(done); });
    }
    std::cout << "restored " << describe_backup(plan) << " into database \"" << *target
              << "\"; checksum verified\n";
    if (plan.is_roles())
        std::cout << "statements that failed, such as CREATE ROLE for a role that exists already, "
                     "were skipped\n";
    return 0;
}

} // namespace

const Command restore_command = {
    "restore", "restore a backup into a database, checksum verified", help, restore, nullptr, true,
    true};

} // namespace lokbackup::cli
