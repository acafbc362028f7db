#include "core/backup/backup_description.hpp"

#include "core/base/json_fields.hpp"

namespace lokbackup
{

namespace
{

using Backup = BackupDescription;

const JsonFields<Backup> started_fields = {
    json_field("id", &Backup::id),
    json_field("database", &Backup::database),
    json_field("type", &Backup::type, backup_type_name, parse_backup_type),
    json_field("object_key", &Backup::object_key),
    json_field("format", &Backup::format, dump_format_name, parse_dump_format),
    json_field("compression", &Backup::compression, compression_name, parse_compression),
    json_field("compression_level", &Backup::compression_level),
    json_field("started_at", &Backup::started_at),
    json_field("server_version", &Backup::server_version),
};

const JsonFields<Backup> completed_fields = {
    json_field("finished_at", &Backup::finished_at),
    json_field("sha256", &Backup::sha256),
    json_field("size", &Backup::size),
    json_field("raw_size", &Backup::raw_size),
};

const JsonFields<WalRange> wal_range_fields = {
    json_field("timeline", &WalRange::timeline),
    json_field("start_lsn", &WalRange::start_lsn),
    json_field("stop_lsn", &WalRange::stop_lsn),
    json_field("start_wal_file", &WalRange::start_wal_file),
};

constexpr const char *properties_field = "database_properties";
constexpr const char *wal_range_field = "wal_range";
constexpr const char *inventory_field = "inventory";
// Only in the documents of an encrypted backup: the others stay as lokbackup 0.4.0 wrote them.
constexpr const char *encrypted_to_field = "encrypted_to";

} // namespace

Json wal_range_to_json(const WalRange &range)
{
    Json json = Json::object();
    write_fields(json, range, wal_range_fields);
    return json;
}

WalRange wal_range_from_json(const Json &json, const std::string &document)
{
    JsonReader reader(document, json.dump());
    WalRange range;
    read_fields(reader, range, wal_range_fields);
    return range;
}

void write_backup_description(Json &json, const BackupDescription &backup, BackupStage stage)
{
    write_fields(json, backup, started_fields);
    if (backup.is_encrypted())
        json[encrypted_to_field] = backup.encrypted_to;
    if (stage == BackupStage::started)
        return;
    write_fields(json, backup, completed_fields);
    if (backup.database_properties)
        json[properties_field] = database_properties_to_json(*backup.database_properties);
    if (backup.inventory)
        json[inventory_field] = dump_inventory_to_json(*backup.inventory);
    if (backup.wal_range)
        json[wal_range_field] = wal_range_to_json(*backup.wal_range);
}

BackupDescription read_backup_description(const JsonReader &reader, BackupStage stage)
{
    BackupDescription backup;
    read_fields(reader, backup, started_fields);
    if (reader.optional_field(encrypted_to_field) != nullptr)
        backup.encrypted_to = reader.strings(encrypted_to_field);
    if (stage == BackupStage::started)
        return backup;
    read_fields(reader, backup, completed_fields);
    if (const Json *properties = reader.optional_field(properties_field))
        backup.database_properties =
            database_properties_from_json(reader.document() + ": " + properties_field, *properties);
    if (const Json *inventory = reader.optional_field(inventory_field))
        backup.inventory =
            dump_inventory_from_json(*inventory, reader.document() + ": " + inventory_field);
    if (const Json *range = reader.optional_field(wal_range_field))
        backup.wal_range = wal_range_from_json(*range, reader.document() + ": " + wal_range_field);
    return backup;
}

} // namespace lokbackup
