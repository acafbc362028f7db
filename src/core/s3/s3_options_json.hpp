// The S3 settings as fields of the JSON requests that the worker writes to its children: the
// backup request and the storage scan request. They hold the S3 secrets, which is why they travel
// on a child's stdin, never in its argv.
#pragma once

#include "core/base/json_document.hpp"
#include "core/storage/storage.hpp"

namespace lokbackup
{

void write_s3_options(Json &json, const S3Options &s3);
S3Options read_s3_options(const JsonReader &reader);

} // namespace lokbackup
