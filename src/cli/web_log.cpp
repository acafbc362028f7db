#include "cli/web_log.hpp"

#include <cstdio>
#include <iostream>

namespace lokbackup::cli
{

void log_line(const std::string &line)
{
    std::cerr << ("lokbackup serve: " + line + "\n") << std::flush;
}

std::string printable(const std::string &text)
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

} // namespace lokbackup::cli
