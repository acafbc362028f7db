// The S3 driver: objects in a bucket (AWS S3, Cloudflare R2, any S3-compatible store), below an
// optional prefix. See s3_object_writer.hpp and s3_object_reader.hpp for how objects stream.
#pragma once

#include "core/s3/s3_address.hpp"
#include "core/storage/storage.hpp"

#include <memory>

namespace lokbackup
{

// `config.spec` is s3://bucket[/prefix]. Checks the options (InvalidValue naming the setting)
// but does not contact S3.
std::unique_ptr<Storage> open_s3_storage(const StorageConfig &config);

// Reads a presigned URL, such as location() gives, as an S3 object (resumed and retried).
std::unique_ptr<ObjectReader> open_presigned_url(const std::string &url, const StorageLog &log);

} // namespace lokbackup
