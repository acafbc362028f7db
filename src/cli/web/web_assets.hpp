// The dashboard's files, compiled into the program by src/dashboard/embed-assets.
#pragma once

#include <cstddef>

namespace lokbackup::cli
{

struct WebAsset {
    const char *path; // "/assets/app.js"
    const char *content_type;
    bool is_public; // served without a login (the login page and what it needs)
    const char *content;
};

extern const WebAsset web_assets[];
extern const std::size_t web_asset_count;

} // namespace lokbackup::cli
