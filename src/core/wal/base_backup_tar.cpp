#include "core/wal/base_backup_tar.hpp"

#include "core/base/error.hpp"
#include "core/wal/wal_archive_key.hpp"

#include <algorithm>
#include <cstring>

namespace lokbackup
{

namespace
{

constexpr std::size_t block = 512;
// backup_label is a few hundred bytes; a manifest's WAL-Ranges are in its last few hundred.
constexpr std::size_t label_limit = 64 * 1024;
constexpr std::size_t manifest_tail_limit = 16 * 1024;

// The value after `key` up to the end of its line; throws when `text` has no such line.
std::string line_value(const std::string &text, const std::string &key, const char *document)
{
    std::size_t at = text.find(key);
    if (at == std::string::npos)
        throw Error(std::string("the base backup's ") + document + " has no \"" +
                    key.substr(0, key.size() - 2) + "\"");
    std::size_t begin = at + key.size();
    std::size_t end = text.find('\n', begin);
    return text.substr(begin, end == std::string::npos ? end : end - begin);
}

std::uint64_t lsn_in(const std::string &text, const char *what)
{
    try {
        return parse_lsn(text);
    } catch (const InvalidValue &) {
        throw Error(std::string("the base backup's ") + what + " \"" + text.substr(0, 40) +
                    "\" is not an LSN");
    }
}

// The octal (or, for 8 GiB and more, base-256) size field of a tar header.
std::uint64_t member_size(const std::string &header)
{
    const unsigned char *field = reinterpret_cast<const unsigned char *>(header.data() + 124);
    std::uint64_t size = 0;
    if (field[0] & 0x80) {
        for (int i = 1; i < 12; i++)
            size = size << 8 | field[i];
        return size;
    }
    for (int i = 0; i < 12 && field[i] >= '0' && field[i] <= '7'; i++)
        size = size * 8 + (field[i] - '0');
    return size;
}

std::string member_name(const std::string &header)
{
    std::string name(header.data(), strnlen(header.data(), 100));
    std::string prefix(header.data() + 345, strnlen(header.data() + 345, 155));
    return prefix.empty() ? name : prefix + "/" + name;
}

} // namespace

WalRange base_backup_wal_range(const std::string &backup_label, const std::string &manifest_tail,
                               std::uint64_t segment_size)
{
    if (segment_size == 0)
        throw Error("the request names no WAL segment size: the worker is older than the program");
    // "START WAL LOCATION: 0/2000028 (file 000000010000000000000002)"
    std::string location = line_value(backup_label, "START WAL LOCATION: ", "backup_label");
    std::uint64_t start = lsn_in(location.substr(0, location.find(' ')), "start location");
    std::string timeline_text = line_value(backup_label, "START TIMELINE: ", "backup_label");
    if (timeline_text.empty() || timeline_text.size() > 10 ||
        timeline_text.find_first_not_of("0123456789") != std::string::npos ||
        std::stoull(timeline_text) == 0 || std::stoull(timeline_text) > 0xFFFFFFFFull)
        throw Error("the base backup's START TIMELINE \"" + timeline_text.substr(0, 20) +
                    "\" is not a timeline (1 to 4294967295)");
    // The manifest's ranges, one per timeline the backup saw: it ends at the greatest End-LSN.
    const std::string key = "\"End-LSN\": \"";
    std::uint64_t stop = 0;
    bool found = false;
    for (std::size_t at = manifest_tail.find(key); at != std::string::npos;
         at = manifest_tail.find(key, at + 1)) {
        std::size_t begin = at + key.size();
        std::size_t end = manifest_tail.find('"', begin);
        stop = std::max(stop, lsn_in(manifest_tail.substr(begin, end - begin), "End-LSN"));
        found = true;
    }
    if (!found)
        throw Error("the base backup's backup_manifest has no WAL-Ranges with an End-LSN");
    if (stop < start)
        throw Error("the base backup's WAL ends at " + format_lsn(stop) + ", before its start " +
                    format_lsn(start));
    auto timeline = static_cast<std::uint32_t>(std::stoull(timeline_text));
    return WalRange{timeline, format_lsn(start), format_lsn(stop),
                    wal_segment_name(timeline, start, segment_size)};
}

void BaseBackupTarScanner::write(const char *data, std::size_t size)
{
    while (size > 0) {
        if (left_ == 0) {
            std::size_t take = std::min(size, block - header_.size());
            header_.append(data, take);
            data += take;
            size -= take;
            if (header_.size() == block)
                header_complete();
            continue;
        }
        std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(size, left_));
        std::size_t payload = static_cast<std::size_t>(std::min<std::uint64_t>(take, data_));
        if (keep_ != nullptr && payload > 0) {
            keep_->append(data, payload);
            std::size_t limit = tail_only_ ? manifest_tail_limit : label_limit;
            if (keep_->size() > 2 * limit)
                keep_->erase(0, keep_->size() - limit);
        }
        data_ -= payload;
        left_ -= take;
        data += take;
        size -= take;
    }
}

void BaseBackupTarScanner::header_complete()
{
    std::string header;
    header.swap(header_);
    if (std::all_of(header.begin(), header.end(), [](char c) { return c == '\0'; }))
        return; // the end-of-archive blocks
    std::string name = member_name(header);
    data_ = member_size(header);
    left_ = (data_ + block - 1) / block * block;
    keep_ = nullptr;
    if (name == "backup_label" || name == "./backup_label") {
        has_label_ = true;
        label_.clear();
        keep_ = &label_;
        tail_only_ = false;
    } else if (name == "backup_manifest" || name == "./backup_manifest") {
        has_manifest_ = true;
        manifest_tail_.clear();
        keep_ = &manifest_tail_;
        tail_only_ = true;
    }
}

WalRange BaseBackupTarScanner::wal_range(std::uint64_t segment_size) const
{
    if (!has_label_)
        throw Error("the base backup's tar holds no backup_label");
    if (!has_manifest_)
        throw Error("the base backup's tar holds no backup_manifest");
    return base_backup_wal_range(label_, manifest_tail_, segment_size);
}

} // namespace lokbackup
