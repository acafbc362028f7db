#include "core/s3/s3_options_json.hpp"

#include "core/base/json_fields.hpp"

namespace lokbackup
{

namespace
{

const JsonFields<S3Options> s3_fields = {
    json_field("s3_endpoint", &S3Options::endpoint),
    json_field("s3_region", &S3Options::region),
    json_field("s3_path_style", &S3Options::path_style),
    json_field("s3_access_key_id", &S3Options::access_key_id),
    json_field("s3_secret_access_key", &S3Options::secret_access_key),
    json_field("s3_session_token", &S3Options::session_token),
    json_field("s3_part_size", &S3Options::part_size),
    json_field("s3_max_attempts", &S3Options::max_attempts),
    json_field("s3_retry_deadline_seconds", &S3Options::retry_deadline_seconds),
    json_field("s3_stall_timeout_seconds", &S3Options::stall_timeout_seconds),
    optional_json_field("s3_storage_class", &S3Options::storage_class),
    optional_json_field("s3_sse", &S3Options::server_side_encryption),
    optional_json_field("s3_sse_kms_key_id", &S3Options::sse_kms_key_id),
};

} // namespace

void write_s3_options(Json &json, const S3Options &s3)
{
    write_fields(json, s3, s3_fields);
}

S3Options read_s3_options(const JsonReader &reader)
{
    S3Options s3;
    read_fields(reader, s3, s3_fields);
    return s3;
}

} // namespace lokbackup
