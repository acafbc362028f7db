#include "core/storage/storage_scan.hpp"

#include "core/base/json_document.hpp"
#include "core/s3/s3_options_json.hpp"

namespace lokbackup
{

namespace
{

const std::string request_document = "storage scan request";
const std::string result_document = "storage scan result";

} // namespace

std::string storage_scan_request_to_json(const StorageScanRequest &request)
{
    Json json = {{"storage", request.storage}};
    write_s3_options(json, request.s3);
    return json_text(request_document, json);
}

StorageScanRequest storage_scan_request_from_json(const std::string &json)
{
    JsonReader reader(request_document, json);
    return {reader.string("storage"), read_s3_options(reader)};
}

std::string storage_scan_result_to_json(const StorageScanResult &result)
{
    Json json =
        result.ok
            ? Json{{"result", "listed"}, {"highest_id", result.highest_id}, {"keys", result.keys}}
            : Json{{"result", "failed"}, {"error", result.error}};
    // An error may quote a storage's answer, which need not be UTF-8.
    return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

StorageScanResult storage_scan_result_from_json(const std::string &line)
{
    JsonReader reader(result_document, line);
    StorageScanResult result;
    std::string outcome = reader.string("result");
    if (outcome == "failed") {
        result.error = reader.string("error");
        return result;
    }
    if (outcome != "listed")
        throw Error(result_document + ": unknown result \"" + outcome + "\"");
    result.ok = true;
    result.highest_id = reader.int64("highest_id");
    result.keys = reader.uint64("keys");
    return result;
}

} // namespace lokbackup
