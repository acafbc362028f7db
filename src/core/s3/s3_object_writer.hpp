// Writing an S3 object as it is produced. An object no larger than one part is sent with one PUT
// at finish(); a larger one becomes a multipart upload whose parts are sent while the writer is
// still being fed: one part fills while the previous one uploads on a background thread, so at
// most two parts are ever in memory, whatever the object's size. Every part but the last has the
// configured size (Cloudflare R2 accepts nothing else). A writer that fails, is aborted or is
// destroyed unfinished aborts its multipart upload, so none is left open.
#pragma once

#include "core/s3/s3_client.hpp"
#include "core/storage/storage.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace lokbackup
{

constexpr std::uint64_t min_part_size = 5ull * 1024 * 1024;
constexpr std::uint64_t max_part_size = 5ull * 1024 * 1024 * 1024;
constexpr int max_parts = 10000;

// Throws InvalidValue unless `part_size` is between 5 MiB and 5 GiB.
void check_part_size(std::uint64_t part_size);
// The largest object that parts of this size can make.
std::uint64_t max_object_size(std::uint64_t part_size);

// Aborts a multipart upload of `key` (in the bucket); one that is already gone is not an error.
void abort_multipart_upload(const S3Client &client, const std::string &key,
                            const std::string &upload_id);

// `key` is the object's key in the bucket; `options` say how objects are written (part size);
// `acknowledged` (may be empty) gets the size of each part, or of the whole object, once S3 has
// taken it.
std::unique_ptr<ObjectWriter> create_s3_object(std::shared_ptr<const S3Client> client,
                                               std::string key, const S3Options &options,
                                               StorageLog log,
                                               StorageAcknowledged acknowledged = {});

} // namespace lokbackup
