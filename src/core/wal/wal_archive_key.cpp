#include "core/wal/wal_archive_key.hpp"

#include "core/base/error.hpp"

#include <cstdio>

namespace lokbackup
{

const char *const wal_archive_root = "~wal/";

namespace
{

bool is_hex(std::string_view text, bool upper_only)
{
    for (char c : text) {
        bool digit = c >= '0' && c <= '9';
        bool upper = c >= 'A' && c <= 'F';
        bool lower = c >= 'a' && c <= 'f';
        if (!digit && !upper && !(lower && !upper_only))
            return false;
    }
    return !text.empty();
}

bool ends_with(std::string_view text, std::string_view suffix)
{
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::uint32_t timeline_of(std::string_view name)
{
    return static_cast<std::uint32_t>(std::stoul(std::string(name.substr(0, 8)), nullptr, 16));
}

std::string hex(std::uint64_t value, int digits)
{
    char text[17];
    std::snprintf(text, sizeof text, "%0*llX", digits, static_cast<unsigned long long>(value));
    return text;
}

} // namespace

std::optional<WalFileName> parse_wal_file_name(std::string_view name)
{
    auto segment_at_start = [&] { return name.size() >= 24 && is_hex(name.substr(0, 24), true); };
    std::optional<WalFileKind> kind;
    if (name.size() == 24 && segment_at_start())
        kind = WalFileKind::segment;
    else if (name.size() == 32 && segment_at_start() && ends_with(name, ".partial"))
        kind = WalFileKind::partial_segment;
    else if (name.size() == 16 && is_hex(name.substr(0, 8), true) && ends_with(name, ".history"))
        kind = WalFileKind::timeline_history;
    else if (name.size() == 40 && segment_at_start() && name[24] == '.' &&
             is_hex(name.substr(25, 8), true) && ends_with(name, ".backup"))
        kind = WalFileKind::backup_history;
    if (!kind)
        return std::nullopt;
    std::string position =
        *kind == WalFileKind::timeline_history ? "" : std::string(name.substr(8, 16));
    return WalFileName{std::string(name), *kind, timeline_of(name), position};
}

WalFileName wal_file_name(std::string_view name)
{
    if (auto parsed = parse_wal_file_name(name))
        return *parsed;
    throw InvalidValue("\"" + std::string(name.substr(0, 64)) +
                       "\" is not the name of a WAL file: allowed are a segment (24 upper-case "
                       "hex digits), a partial segment (.partial), a timeline history file "
                       "(8 hex digits.history) and a backup history file (.backup)");
}

std::string wal_object_prefix(const WalFileName &file)
{
    return std::string(wal_archive_root) + file.name.substr(0, 8) + "/" + file.name + "-";
}

std::string wal_object_key(const WalFileName &file, const std::string &sha256,
                           Compression compression, bool encrypted)
{
    return wal_object_prefix(file) + sha256 + std::string(compression_extension(compression)) +
           (encrypted ? ".age" : "");
}

std::optional<ArchivedWalObject> parse_wal_object_key(std::string_view key)
{
    std::string_view root = wal_archive_root;
    if (key.substr(0, root.size()) != root)
        return std::nullopt;
    std::string_view rest = key.substr(root.size());
    if (rest.size() < 9 || rest[8] != '/')
        return std::nullopt;
    std::string_view leaf = rest.substr(9);
    bool encrypted = ends_with(leaf, ".age");
    if (encrypted)
        leaf.remove_suffix(4);
    Compression compression = Compression::none;
    for (Compression candidate : {Compression::zstd, Compression::gzip}) {
        std::string_view extension = compression_extension(candidate);
        if (ends_with(leaf, extension)) {
            compression = candidate;
            leaf.remove_suffix(extension.size());
            break;
        }
    }
    std::size_t dash = leaf.rfind('-');
    if (dash == std::string_view::npos)
        return std::nullopt;
    std::string_view sha256 = leaf.substr(dash + 1);
    auto file = parse_wal_file_name(leaf.substr(0, dash));
    if (!file || sha256.size() != 64 || !is_hex(sha256, false) ||
        rest.substr(0, 8) != std::string_view(file->name).substr(0, 8))
        return std::nullopt;
    return ArchivedWalObject{std::string(key), *file, std::string(sha256), compression, encrypted};
}

std::uint64_t parse_lsn(std::string_view text)
{
    std::size_t slash = text.find('/');
    auto part_ok = [](std::string_view part) { return part.size() <= 8 && is_hex(part, false); };
    if (slash == std::string_view::npos || !part_ok(text.substr(0, slash)) ||
        !part_ok(text.substr(slash + 1)))
        throw InvalidValue("\"" + std::string(text.substr(0, 40)) +
                           "\" is not an LSN: write it as PostgreSQL does, two hex numbers of up "
                           "to 8 digits with a slash between them (16/B374D848)");
    std::uint64_t high = std::stoull(std::string(text.substr(0, slash)), nullptr, 16);
    std::uint64_t low = std::stoull(std::string(text.substr(slash + 1)), nullptr, 16);
    return high << 32 | low;
}

std::string format_lsn(std::uint64_t lsn)
{
    char text[20];
    std::snprintf(text, sizeof text, "%X/%X", static_cast<unsigned>(lsn >> 32),
                  static_cast<unsigned>(lsn & 0xffffffffu));
    return text;
}

std::string wal_segment_name(std::uint32_t timeline, std::uint64_t lsn, std::uint64_t segment_size)
{
    std::uint64_t segment = lsn / segment_size;
    std::uint64_t segments_per_log = 0x100000000ull / segment_size;
    return hex(timeline, 8) + hex(segment / segments_per_log, 8) +
           hex(segment % segments_per_log, 8);
}

} // namespace lokbackup
