#include "core/backup/client_version.hpp"

#include "core/base/error.hpp"

#include <regex>

namespace lokbackup
{

ClientVersion parse_client_version(const std::string &output)
{
    // Development builds print "16devel" or "18beta3": no minor number, which counts as 0.
    static const std::regex version(R"(\(PostgreSQL\) (\d+)(?:\.(\d+))?)");
    std::smatch found;
    if (!std::regex_search(output, found, version))
        throw Error("cannot tell the PostgreSQL version from \"" + output.substr(0, 200) + "\"");
    ClientVersion result;
    result.major = std::stoi(found[1]);
    result.minor = found[2].matched ? std::stoi(found[2]) : 0;
    result.text = found[2].matched ? found[1].str() + "." + found[2].str() : found[1].str();
    return result;
}

int server_major_version(const std::string &server_version)
{
    std::size_t digits = 0;
    while (digits < server_version.size() && digits < 4 && server_version[digits] >= '0' &&
           server_version[digits] <= '9')
        ++digits;
    return digits == 0 ? 0 : std::stoi(server_version.substr(0, digits));
}

} // namespace lokbackup
