#include "core/base/error.hpp"

#include <cerrno>
#include <cstring>

namespace lokbackup
{

void throw_system_error(const std::string &what)
{
    throw Error(what + ": " + std::strerror(errno));
}

} // namespace lokbackup
