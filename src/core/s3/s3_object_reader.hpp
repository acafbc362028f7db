// Reading an S3 object with GET as the caller asks for bytes, with bounded memory. A connection
// that drops is resumed where it stopped with "Range: bytes=N-" (and If-Match on the ETag, so
// that an object replaced meanwhile is not spliced); attempts without progress are bounded by the
// retry policy.
#pragma once

#include "core/http/http_client.hpp"
#include "core/http/http_retry.hpp"
#include "core/storage/storage.hpp"

#include <functional>
#include <memory>
#include <string>

namespace lokbackup
{

// A GET request of the object with these extra headers, ready to send (signed, or presigned).
using ObjectRequest = std::function<HttpRequest(const HttpHeaders &extra_headers)>;

// Throws Error "backup object not found: <name>" when there is no such object, or the S3 error.
// `name` names the object in messages ("s3://bucket/key").
std::unique_ptr<ObjectReader> open_s3_object(ObjectRequest request, RetryPolicy retry,
                                             std::string name);

} // namespace lokbackup
