#include "core/base/text.hpp"

#include <cctype>
#include <cstdio>

namespace lokbackup
{

std::string to_lower(std::string_view text)
{
    std::string result(text);
    for (char &c : result)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return result;
}

std::string_view trim(std::string_view text)
{
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    return text;
}

std::string printable(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (c >= 0x20 && c != 0x7f && c != '\\') {
            out += static_cast<char>(c);
            continue;
        }
        char escaped[5];
        std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
        out += escaped;
    }
    return out;
}

bool ends_with(std::string_view text, std::string_view suffix)
{
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::vector<std::string> split_list(std::string_view text, char separator)
{
    std::vector<std::string> items;
    if (text.empty())
        return items;
    for (std::size_t start = 0;;) {
        std::size_t end = text.find(separator, start);
        items.emplace_back(text.substr(start, end - start));
        if (end == std::string_view::npos)
            return items;
        start = end + 1;
    }
}

std::string joined(const std::vector<std::string> &items, std::string_view separator)
{
    std::string text;
    for (std::size_t i = 0; i < items.size(); ++i)
        text += (i > 0 ? std::string(separator) : std::string()) + items[i];
    return text;
}

} // namespace lokbackup
