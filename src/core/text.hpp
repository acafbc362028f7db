// Small ASCII text helpers shared by the HTTP, signing and mail code.
#pragma once

#include <string>
#include <string_view>

namespace lokbackup
{

// ASCII lower case (HTTP header names, hex digests); other bytes are kept.
std::string to_lower(std::string_view text);
// Without leading and trailing blanks (spaces, tabs, CR, LF).
std::string_view trim(std::string_view text);
bool ends_with(std::string_view text, std::string_view suffix);

} // namespace lokbackup
