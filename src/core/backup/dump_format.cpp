#include "core/backup/dump_format.hpp"

#include "core/base/error.hpp"

#include <string>

namespace lokbackup
{

const Vocabulary<DumpFormat> &dump_format_vocabulary()
{
    static const Vocabulary<DumpFormat> vocabulary(
        "backup format",
        {{DumpFormat::plain, "plain"}, {DumpFormat::custom, "custom"}, {DumpFormat::tar, "tar"}});
    return vocabulary;
}

const Vocabulary<DumpFormat> &logical_dump_format_vocabulary()
{
    static const Vocabulary<DumpFormat> vocabulary(
        "dump format", {{DumpFormat::plain, "plain"}, {DumpFormat::custom, "custom"}});
    return vocabulary;
}

DumpFormat parse_dump_format(std::string_view name)
{
    return dump_format_vocabulary().parse(name);
}

std::string_view dump_format_name(DumpFormat format)
{
    return dump_format_vocabulary().name(format);
}

std::string_view dump_format_extension(DumpFormat format)
{
    switch (format) {
    case DumpFormat::plain:
        return ".sql";
    case DumpFormat::custom:
        return ".dump";
    case DumpFormat::tar:
        return ".tar";
    }
    throw Error("unknown dump format");
}

} // namespace lokbackup
