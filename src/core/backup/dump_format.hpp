// The pg_dump output format of a backup.
#pragma once

#include <string_view>

namespace lokbackup
{

enum class DumpFormat { plain, custom };

// Throws InvalidValue naming the allowed values.
DumpFormat parse_dump_format(std::string_view name);
std::string_view dump_format_name(DumpFormat format);
// ".sql" for plain, ".dump" for custom.
std::string_view dump_format_extension(DumpFormat format);

} // namespace lokbackup
