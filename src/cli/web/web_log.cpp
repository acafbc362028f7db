#include "cli/web/web_log.hpp"

#include <iostream>

namespace lokbackup::cli
{

void log_line(const std::string &line)
{
    std::cerr << ("lokbackup serve: " + line + "\n") << std::flush;
}

} // namespace lokbackup::cli
