// The format of a backup's object: a pg_dump output format, or the tar archive of a base backup
// (pg_basebackup --format=tar).
#pragma once

#include "core/base/vocabulary.hpp"

#include <string_view>

namespace lokbackup
{

enum class DumpFormat { plain, custom, tar };

// plain, custom, tar: the manifest's, the catalog's and the request's names.
const Vocabulary<DumpFormat> &dump_format_vocabulary();
// plain, custom: what lokbackup.format allows (a base backup is asked for as kind 'physical').
const Vocabulary<DumpFormat> &logical_dump_format_vocabulary();
// Throws InvalidValue naming the allowed values.
DumpFormat parse_dump_format(std::string_view name);
std::string_view dump_format_name(DumpFormat format);
// ".sql" for plain, ".dump" for custom, ".tar" for tar.
std::string_view dump_format_extension(DumpFormat format);

} // namespace lokbackup
