// The pg_dump output format of a backup.
#pragma once

#include "core/base/vocabulary.hpp"

#include <string_view>

namespace lokbackup
{

enum class DumpFormat { plain, custom };

// plain, custom: lokbackup.format's values, and the manifest's and the request's names.
const Vocabulary<DumpFormat> &dump_format_vocabulary();
// Throws InvalidValue naming the allowed values.
DumpFormat parse_dump_format(std::string_view name);
std::string_view dump_format_name(DumpFormat format);
// ".sql" for plain, ".dump" for custom.
std::string_view dump_format_extension(DumpFormat format);

} // namespace lokbackup
