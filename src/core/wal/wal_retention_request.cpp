#include "core/wal/wal_retention_request.hpp"

#include "core/base/json_document.hpp"
#include "core/s3/s3_options_json.hpp"

namespace lokbackup
{

namespace
{

const std::string request_document = "WAL retention request";
const std::string result_document = "WAL retention result";

} // namespace

std::string wal_retention_request_to_json(const WalRetentionRequest &request)
{
    Json json = {{"storage", request.storage.storage}};
    write_s3_options(json, request.storage.s3);
    if (request.keep_from)
        json["keep_from"] = *request.keep_from;
    return json_text(request_document, json);
}

WalRetentionRequest wal_retention_request_from_json(const std::string &json)
{
    JsonReader reader(request_document, json);
    WalRetentionRequest request{{reader.string("storage"), read_s3_options(reader)}, std::nullopt};
    if (reader.optional_field("keep_from") != nullptr)
        request.keep_from = reader.string("keep_from");
    return request;
}

std::string wal_retention_result_to_json(const WalRetentionResult &result)
{
    Json json = result.ok ? Json{{"result", "retained"},
                                 {"removed", result.removed},
                                 {"objects", result.kept.objects},
                                 {"bytes", result.kept.bytes},
                                 {"oldest_wal", result.kept.oldest_wal},
                                 {"newest_wal", result.kept.newest_wal}}
                          : Json{{"result", "failed"}, {"error", result.error}};
    // An error may quote a storage's answer, which need not be UTF-8.
    return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

WalRetentionResult wal_retention_result_from_json(const std::string &line)
{
    JsonReader reader(result_document, line);
    WalRetentionResult result;
    std::string outcome = reader.string("result");
    if (outcome == "failed") {
        result.error = reader.string("error");
        return result;
    }
    if (outcome != "retained")
        throw Error(result_document + ": unknown result \"" + outcome + "\"");
    result.ok = true;
    result.removed = reader.uint64("removed");
    result.kept.objects = reader.uint64("objects");
    result.kept.bytes = reader.uint64("bytes");
    result.kept.oldest_wal = reader.string("oldest_wal");
    result.kept.newest_wal = reader.string("newest_wal");
    return result;
}

} // namespace lokbackup
