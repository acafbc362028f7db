#include "core/backup/backup_request.hpp"

#include "core/base/json_document.hpp"
#include "core/base/json_fields.hpp"
#include "core/s3/s3_options_json.hpp"

namespace lokbackup
{

namespace
{

const std::string request_document = "backup request";
const std::string event_document = "backup event";

const JsonFields<BackupRequest> child_fields = {
    json_field("connect_database", &BackupRequest::connect_database),
    json_field("storage", &BackupRequest::storage),
    json_field("pg_bin_dir", &BackupRequest::pg_bin_dir),
    json_field("socket_dir", &BackupRequest::socket_dir),
    json_field("port", &BackupRequest::port),
    json_field("user", &BackupRequest::user),
    optional_json_field("wal_segment_size", &BackupRequest::wal_segment_size),
};

const JsonFields<StorageCopyRequest> copy_fields = {
    json_field("storage", &StorageCopyRequest::storage),
    json_field("required", &StorageCopyRequest::required),
};

const JsonFields<CopyOutcome> copy_outcome_fields = {
    json_field("stored", &CopyOutcome::stored),
    json_field("error", &CopyOutcome::error),
};

const char *const copy_field = "copy";
const char *const copy_s3_field = "s3";

const JsonFields<BackupEncryption> encryption_fields = {
    optional_json_field("encrypt_to", &BackupEncryption::recipients),
    optional_json_field("encrypt_passphrase_file", &BackupEncryption::passphrase_file),
};

const char *event_name(BackupEvent::Kind kind)
{
    switch (kind) {
    case BackupEvent::Kind::progress:
        return "progress";
    case BackupEvent::Kind::completed:
        return "completed";
    case BackupEvent::Kind::failed:
        return "failed";
    }
    throw Error("unknown backup event");
}

BackupEvent::Kind parse_event_kind(const std::string &name)
{
    using Kind = BackupEvent::Kind;
    for (Kind kind : {Kind::progress, Kind::completed, Kind::failed}) {
        if (name == event_name(kind))
            return kind;
    }
    throw Error("backup event: unknown event \"" + name + "\"");
}

CopyOutcome copy_outcome_from_json(const Json &json)
{
    CopyOutcome outcome;
    read_fields(JsonReader(event_document + ": " + copy_field, json.dump()), outcome,
                copy_outcome_fields);
    return outcome;
}

} // namespace

// A copy's S3 settings are an object of their own, with the same fields as the primary's.
Json storage_copy_to_json(const StorageCopyRequest &copy)
{
    Json json = Json::object();
    write_fields(json, copy, copy_fields);
    Json s3 = Json::object();
    write_s3_options(s3, copy.s3);
    json[copy_s3_field] = s3;
    return json;
}

StorageCopyRequest storage_copy_from_json(const std::string &document, const Json &json)
{
    JsonReader reader(document, json.dump());
    StorageCopyRequest copy;
    read_fields(reader, copy, copy_fields);
    const Json *s3 = reader.optional_field(copy_s3_field);
    if (s3 == nullptr)
        throw Error(document + ": field \"" + copy_s3_field + "\" is missing or not an object");
    copy.s3 = read_s3_options(JsonReader(document + ": " + copy_s3_field, s3->dump()));
    return copy;
}

std::string backup_request_to_json(const BackupRequest &request)
{
    Json json = Json::object();
    write_backup_description(json, request.backup, BackupStage::started);
    write_fields(json, request, child_fields);
    write_s3_options(json, request.s3);
    write_backup_encryption(json, request.encryption);
    if (request.copy)
        json[copy_field] = storage_copy_to_json(*request.copy);
    return json_text(request_document, json);
}

void write_backup_encryption(Json &json, const BackupEncryption &encryption)
{
    write_fields(json, encryption, encryption_fields);
}

BackupEncryption read_backup_encryption(const JsonReader &reader)
{
    BackupEncryption encryption;
    read_fields(reader, encryption, encryption_fields);
    return encryption;
}

std::string backup_application_name(std::int64_t id)
{
    return "lokbackup backup " + std::to_string(id);
}

BackupRequest backup_request_from_json(const std::string &json)
{
    JsonReader reader(request_document, json);
    BackupRequest request;
    request.backup = read_backup_description(reader, BackupStage::started);
    read_fields(reader, request, child_fields);
    request.s3 = read_s3_options(reader);
    request.encryption = read_backup_encryption(reader);
    if (const Json *copy = reader.optional_field(copy_field))
        request.copy = storage_copy_from_json(request_document + ": " + copy_field, *copy);
    return request;
}

std::string backup_event_to_json(const BackupEvent &event)
{
    Json json = {{"event", event_name(event.kind)}};
    if (event.kind == BackupEvent::Kind::failed) {
        json["error"] = event.error;
    } else {
        json["raw_bytes"] = event.raw_bytes;
        json["stored_bytes"] = event.stored_bytes;
        if (event.kind == BackupEvent::Kind::completed) {
            json["sha256"] = event.sha256;
            if (event.database_properties)
                json["database_properties"] =
                    database_properties_to_json(*event.database_properties);
            if (event.inventory)
                json["inventory"] = dump_inventory_to_json(*event.inventory);
            if (event.wal_range)
                json["wal_range"] = wal_range_to_json(*event.wal_range);
            if (event.copy) {
                Json copy = Json::object();
                write_fields(copy, *event.copy, copy_outcome_fields);
                json[copy_field] = copy;
            }
        }
    }
    if (event.kind == BackupEvent::Kind::progress) {
        json["uploaded_bytes"] = event.uploaded_bytes;
        json["waiting_since_ms"] = event.waiting_since_ms;
        json["storage_problem"] = event.storage_problem;
    }
    // The error text comes from pg_dump's stderr, which need not be UTF-8: replacing bad bytes
    // keeps the failure reportable.
    return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

BackupEvent backup_event_from_json(const std::string &line)
{
    JsonReader reader(event_document, line);
    BackupEvent event;
    event.kind = parse_event_kind(reader.string("event"));
    if (event.kind == BackupEvent::Kind::failed) {
        event.error = reader.string("error");
    } else {
        event.raw_bytes = reader.uint64("raw_bytes");
        event.stored_bytes = reader.uint64("stored_bytes");
        if (event.kind == BackupEvent::Kind::completed) {
            event.sha256 = reader.string("sha256");
            if (const Json *properties = reader.optional_field("database_properties"))
                event.database_properties = database_properties_from_json(
                    event_document + ": database_properties", *properties);
            if (const Json *inventory = reader.optional_field("inventory"))
                event.inventory =
                    dump_inventory_from_json(*inventory, event_document + ": inventory");
            if (const Json *range = reader.optional_field("wal_range"))
                event.wal_range = wal_range_from_json(*range, event_document + ": wal_range");
            if (const Json *copy = reader.optional_field(copy_field))
                event.copy = copy_outcome_from_json(*copy);
        }
    }
    if (event.kind == BackupEvent::Kind::progress) {
        event.uploaded_bytes = reader.uint64("uploaded_bytes");
        event.waiting_since_ms = reader.int64("waiting_since_ms");
        event.storage_problem = reader.string("storage_problem");
    }
    return event;
}

} // namespace lokbackup
