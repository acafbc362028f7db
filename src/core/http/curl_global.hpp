// libcurl's global initialization, done once before the first handle: curl_global_init() is not
// thread-safe in every libcurl build.
#pragma once

namespace lokbackup
{

// Throws Error when libcurl cannot be initialized.
void initialize_curl_once();

} // namespace lokbackup
