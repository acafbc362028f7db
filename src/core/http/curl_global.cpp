#include "core/http/curl_global.hpp"

#include "core/base/error.hpp"

#include <curl/curl.h>
#include <string>

namespace lokbackup
{

void initialize_curl_once()
{
    static const CURLcode initialized = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (initialized != CURLE_OK)
        throw Error(std::string("cannot initialize libcurl: ") + curl_easy_strerror(initialized));
}

} // namespace lokbackup
