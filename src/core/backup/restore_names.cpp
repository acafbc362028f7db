#include "core/backup/restore_names.hpp"

#include <algorithm>

namespace lokbackup
{

namespace
{

std::string with_suffix(const std::string &target, const std::string &suffix)
{
    std::size_t room = max_database_name > suffix.size() ? max_database_name - suffix.size() : 0;
    std::size_t length = std::min(target.size(), room);
    // Back to the first byte of a UTF-8 character (continuation bytes are 10xxxxxx).
    while (length > 0 && length < target.size() &&
           (static_cast<unsigned char>(target[length]) & 0xC0) == 0x80)
        --length;
    return target.substr(0, length) + suffix;
}

} // namespace

std::string side_database_name(const std::string &target, std::int64_t backup_id)
{
    return with_suffix(target, "_restoring_" + std::to_string(backup_id));
}

std::string previous_database_name(const std::string &target, std::int64_t backup_id)
{
    return with_suffix(target, "_before_restore_" + std::to_string(backup_id));
}

} // namespace lokbackup
