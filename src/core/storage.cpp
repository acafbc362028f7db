#include "core/storage.hpp"

#include "core/error.hpp"
#include "core/local_storage.hpp"

namespace lokbackup
{

void check_storage_spec(const std::string &spec)
{
    if (spec.empty() || spec.front() != '/')
        throw InvalidValue("invalid storage \"" + spec + "\": use an absolute directory path");
}

std::unique_ptr<Storage> open_storage(const std::string &spec)
{
    check_storage_spec(spec);
    return open_local_storage(spec);
}

} // namespace lokbackup
