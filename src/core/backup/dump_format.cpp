#include "core/backup/dump_format.hpp"

#include "core/base/error.hpp"

#include <string>

namespace lokbackup
{

DumpFormat parse_dump_format(std::string_view name)
{
    if (name == "plain")
        return DumpFormat::plain;
    if (name == "custom")
        return DumpFormat::custom;
    throw InvalidValue("invalid dump format \"" + std::string(name) +
                       "\": allowed values are plain, custom");
}

std::string_view dump_format_name(DumpFormat format)
{
    switch (format) {
    case DumpFormat::plain:
        return "plain";
    case DumpFormat::custom:
        return "custom";
    }
    throw Error("unknown dump format");
}

std::string_view dump_format_extension(DumpFormat format)
{
    switch (format) {
    case DumpFormat::plain:
        return ".sql";
    case DumpFormat::custom:
        return ".dump";
    }
    throw Error("unknown dump format");
}

} // namespace lokbackup
