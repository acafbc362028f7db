#include "cli/server_helpers/child_request.hpp"

#include "cli/options.hpp"

#include <iostream>
#include <iterator>

namespace lokbackup::cli
{

void check_child_arguments(const char *command, const std::vector<std::string> &arguments)
{
    Arguments(command, {}, arguments)
        .expect_positionals(0, "no arguments (the request comes on stdin)");
}

std::string read_child_request(const char *command, const std::vector<std::string> &arguments)
{
    check_child_arguments(command, arguments);
    return std::string(std::istreambuf_iterator<char>(std::cin), {});
}

} // namespace lokbackup::cli
