#include "core/base/error.hpp"

#include <cerrno>
#include <cstring>

namespace lokbackup
{

void throw_like(const Error &original, const std::string &message)
{
    if (dynamic_cast<const BackupDamaged *>(&original))
        throw BackupDamaged(message);
    throw Error(message);
}

void throw_system_error(const std::string &what)
{
    throw Error(what + ": " + std::strerror(errno));
}

} // namespace lokbackup
