// Small ASCII text helpers shared by the HTTP, signing, mail and log code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lokbackup
{

// ASCII lower case (HTTP header names, hex digests); other bytes are kept.
std::string to_lower(std::string_view text);
// Without leading and trailing blanks (spaces, tabs, CR, LF).
std::string_view trim(std::string_view text);
// `text` that someone else wrote (a client's path, a child's stderr), safe to log: control bytes
// and backslashes become \xNN, so that nobody can forge log lines or send escape sequences to an
// operator's terminal.
std::string printable(std::string_view text);
bool ends_with(std::string_view text, std::string_view suffix);
// The items of `text` between `separator`s ("a,b" -> {"a", "b"}; "" -> {}).
std::vector<std::string> split_list(std::string_view text, char separator);
// "a, b, c".
std::string joined(const std::vector<std::string> &items, std::string_view separator = ", ");

} // namespace lokbackup
