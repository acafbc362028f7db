#include "core/s3/s3_options_json.hpp"

namespace lokbackup
{

void write_s3_options(Json &json, const S3Options &s3)
{
    json["s3_endpoint"] = s3.endpoint;
    json["s3_region"] = s3.region;
    json["s3_path_style"] = s3.path_style;
    json["s3_access_key_id"] = s3.access_key_id;
    json["s3_secret_access_key"] = s3.secret_access_key;
    json["s3_session_token"] = s3.session_token;
    json["s3_part_size"] = s3.part_size;
    json["s3_max_attempts"] = s3.max_attempts;
    json["s3_retry_deadline_seconds"] = s3.retry_deadline_seconds;
    json["s3_stall_timeout_seconds"] = s3.stall_timeout_seconds;
}

S3Options read_s3_options(const JsonReader &reader)
{
    S3Options s3;
    s3.endpoint = reader.string("s3_endpoint");
    s3.region = reader.string("s3_region");
    s3.path_style = reader.boolean("s3_path_style");
    s3.access_key_id = reader.string("s3_access_key_id");
    s3.secret_access_key = reader.string("s3_secret_access_key");
    s3.session_token = reader.string("s3_session_token");
    s3.part_size = reader.uint64("s3_part_size");
    s3.max_attempts = reader.integer("s3_max_attempts");
    s3.retry_deadline_seconds = reader.integer("s3_retry_deadline_seconds");
    s3.stall_timeout_seconds = reader.integer("s3_stall_timeout_seconds");
    return s3;
}

} // namespace lokbackup
