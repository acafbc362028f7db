#include "core/storage/object_key.hpp"

#include "core/base/error.hpp"

#include <cctype>

namespace lokbackup
{

namespace
{

bool is_safe_key_byte(unsigned char byte)
{
    return (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
           (byte >= '0' && byte <= '9') || byte == '.' || byte == '_' || byte == '-';
}

std::string format_utc(std::time_t time, const char *format)
{
    std::tm fields{};
    if (!gmtime_r(&time, &fields))
        throw Error("backup time " + std::to_string(time) + " cannot be represented in utc");
    char text[32];
    std::size_t length = std::strftime(text, sizeof text, format, &fields);
    return std::string(text, length);
}

bool digits_only(const std::string &text)
{
    for (unsigned char c : text)
        if (!std::isdigit(c))
            return false;
    return !text.empty();
}

// "20261125T030000Z", as format_utc() writes the time of an object's name.
bool is_key_time(const std::string &text)
{
    return text.size() == 16 && digits_only(text.substr(0, 8)) && text[8] == 'T' &&
           digits_only(text.substr(9, 6)) && text[15] == 'Z';
}

} // namespace

std::string encode_key_segment(const std::string &name)
{
    static const char hex[] = "0123456789ABCDEF";
    std::string encoded;
    encoded.reserve(name.size());
    for (std::size_t i = 0; i < name.size(); ++i) {
        auto byte = static_cast<unsigned char>(name[i]);
        // A leading dot is encoded so that no segment is "." or ".." or a hidden file.
        if (is_safe_key_byte(byte) && !(i == 0 && byte == '.')) {
            encoded += static_cast<char>(byte);
        } else {
            encoded += '%';
            encoded += hex[byte >> 4];
            encoded += hex[byte & 0xf];
        }
    }
    return encoded;
}

std::string object_key(const ObjectKeyParts &parts)
{
    bool cluster = parts.format == DumpFormat::tar;
    bool roles = parts.database.empty() && !cluster;
    std::string directory = cluster ? "~cluster"
                            : roles ? "~roles"
                                    : encode_key_segment(parts.database);
    std::string name = cluster ? "cluster" : roles ? "roles" : directory;
    return directory + "/" + format_utc(parts.time, "%Y/%m") + "/" + name + "-" + parts.type + "-" +
           format_utc(parts.time, "%Y%m%dT%H%M%SZ") + "-" + std::to_string(parts.id) +
           std::string(dump_format_extension(parts.format)) +
           std::string(compression_extension(parts.compression)) + (parts.encrypted ? ".age" : "");
}

std::string manifest_key(const std::string &object_key)
{
    return object_key + ".manifest.json";
}

std::optional<std::int64_t> backup_id_of_key(const std::string &key)
{
    // The name ends "-<time>-<id><extensions>"; the database part before it may hold '-' and
    // digits of its own, the extensions neither.
    std::string name = key.substr(key.rfind('/') + 1);
    std::string::size_type id_start = name.rfind('-');
    if (id_start == std::string::npos || id_start < 17 || name[id_start - 17] != '-')
        return std::nullopt;
    std::string::size_type id_end = name.find('.', id_start);
    std::string id = name.substr(id_start + 1, id_end - id_start - 1);
    // 18 digits always fit an int64; a bigint id never has more.
    if (id_end == std::string::npos || id.size() > 18 || !digits_only(id) ||
        !is_key_time(name.substr(id_start - 16, 16)))
        return std::nullopt;
    return std::stoll(id);
}

} // namespace lokbackup
