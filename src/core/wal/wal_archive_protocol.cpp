#include "core/wal/wal_archive_protocol.hpp"

#include "core/backup/backup_request.hpp"
#include "core/base/error.hpp"
#include "core/base/json_document.hpp"
#include "core/base/json_fields.hpp"
#include "core/s3/s3_options_json.hpp"

namespace lokbackup
{

namespace
{

const std::string settings_document = "WAL archive settings";
const std::string request_document = "WAL archive request";
const std::string answer_document = "WAL archive answer";
const char *const copy_field = "copy";

const JsonFields<WalArchiveSettings> settings_fields = {
    json_field("storage", &WalArchiveSettings::storage),
    json_field("compression", &WalArchiveSettings::compression, compression_name,
               parse_compression),
    json_field("compression_level", &WalArchiveSettings::compression_level),
};

const JsonFields<WalArchiveRequest> request_fields = {
    json_field("path", &WalArchiveRequest::path),
    json_field("name", &WalArchiveRequest::name),
};

const char *outcome_name(WalArchiveAnswer::Outcome outcome)
{
    switch (outcome) {
    case WalArchiveAnswer::Outcome::stored:
        return "stored";
    case WalArchiveAnswer::Outcome::already_stored:
        return "already stored";
    case WalArchiveAnswer::Outcome::failed:
        return "failed";
    }
    throw Error("unknown WAL archive outcome");
}

WalArchiveAnswer::Outcome parse_outcome(const std::string &name)
{
    using Outcome = WalArchiveAnswer::Outcome;
    for (Outcome outcome : {Outcome::stored, Outcome::already_stored, Outcome::failed}) {
        if (name == outcome_name(outcome))
            return outcome;
    }
    throw Error(answer_document + ": unknown result \"" + name +
                "\" (expected \"stored\", \"already stored\" or \"failed\")");
}

} // namespace

std::string wal_archive_settings_to_json(const WalArchiveSettings &settings)
{
    Json json = Json::object();
    write_fields(json, settings, settings_fields);
    write_s3_options(json, settings.s3);
    write_backup_encryption(json, settings.encryption);
    if (settings.copy)
        json[copy_field] = storage_copy_to_json(*settings.copy);
    return json_text(settings_document, json);
}

WalArchiveSettings wal_archive_settings_from_json(const std::string &line)
{
    JsonReader reader(settings_document, line);
    WalArchiveSettings settings;
    read_fields(reader, settings, settings_fields);
    settings.s3 = read_s3_options(reader);
    settings.encryption = read_backup_encryption(reader);
    if (const Json *copy = reader.optional_field(copy_field))
        settings.copy = storage_copy_from_json(settings_document + ": " + copy_field, *copy);
    return settings;
}

std::string wal_archive_request_to_json(const WalArchiveRequest &request)
{
    Json json = Json::object();
    write_fields(json, request, request_fields);
    return json_text(request_document, json);
}

WalArchiveRequest wal_archive_request_from_json(const std::string &line)
{
    JsonReader reader(request_document, line);
    WalArchiveRequest request;
    read_fields(reader, request, request_fields);
    return request;
}

std::string wal_archive_answer_to_json(const WalArchiveAnswer &answer)
{
    Json json = {{"result", outcome_name(answer.outcome)}, {"name", answer.name}};
    if (answer.ok()) {
        json["key"] = answer.key;
        json["sha256"] = answer.sha256;
        json["raw_bytes"] = answer.raw_bytes;
        json["stored_bytes"] = answer.stored_bytes;
        if (!answer.copy_error.empty())
            json["copy_error"] = answer.copy_error;
    } else {
        json["error"] = answer.error;
    }
    // An error may quote a storage's answer, which need not be UTF-8.
    return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

WalArchiveAnswer wal_archive_answer_from_json(const std::string &line)
{
    JsonReader reader(answer_document, line);
    WalArchiveAnswer answer;
    answer.outcome = parse_outcome(reader.string("result"));
    answer.name = reader.string("name");
    if (!answer.ok()) {
        answer.error = reader.string("error");
        return answer;
    }
    answer.key = reader.string("key");
    answer.sha256 = reader.string("sha256");
    answer.raw_bytes = reader.uint64("raw_bytes");
    answer.stored_bytes = reader.uint64("stored_bytes");
    if (reader.optional_field("copy_error") != nullptr)
        answer.copy_error = reader.string("copy_error");
    return answer;
}

} // namespace lokbackup
