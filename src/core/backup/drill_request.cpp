#include "core/backup/drill_request.hpp"

#include "core/base/json_fields.hpp"

namespace lokbackup
{

namespace
{

const char *const document = "drill request";

const JsonFields<DrillRequest> fields = {
    json_field("drill_id", &DrillRequest::drill_id),
    json_field("backup_id", &DrillRequest::backup_id),
    json_field("target", &DrillRequest::target),
    json_field("catalog_database", &DrillRequest::catalog_database),
    json_field("socket_dir", &DrillRequest::socket_dir),
    json_field("port", &DrillRequest::port),
    json_field("user", &DrillRequest::user),
    json_field("drill_conninfo", &DrillRequest::drill_conninfo),
    json_field("identity_file", &DrillRequest::identity_file),
    json_field("passphrase_file", &DrillRequest::passphrase_file),
};

} // namespace

std::string drill_request_to_json(const DrillRequest &request)
{
    Json json = Json::object();
    write_fields(json, request, fields);
    return json_text(document, json);
}

DrillRequest drill_request_from_json(const std::string &json)
{
    DrillRequest request;
    read_fields(JsonReader(document, json), request, fields);
    return request;
}

} // namespace lokbackup
