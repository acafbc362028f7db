// Names of archived WAL files, in PostgreSQL's pg_wal and in storage.
//
// In storage, relative to the storage root:
//   ~wal/<timeline>/<file name>-<sha256><compression ext>[.age]
// <file name> is the name PostgreSQL gave the file: a segment (24 hex digits), a partial segment
// (a segment's name + ".partial"), a timeline history file (8 hex digits + ".history") or a backup
// history file (a segment's name + "." + 8 hex digits + ".backup"). <timeline> is its first 8 hex
// digits, so that one timeline is one prefix to list. <sha256> is of the file as PostgreSQL wrote
// it (before compression and encryption): wal-fetch checks the very bytes it hands to PostgreSQL,
// and archiving a file that is already stored with the same content needs no upload (the archiver
// retries a file whose first upload succeeded but was not acknowledged). An object is never
// replaced: a second file of the same name with other content is refused.
#pragma once

#include "core/pipeline/codec.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lokbackup
{

enum class WalFileKind { segment, partial_segment, timeline_history, backup_history };

struct WalFileName {
    std::string name; // as in pg_wal, e.g. 000000010000000000000003
    WalFileKind kind;
    std::uint32_t timeline;
    // The 16 hex digits after the timeline (log and segment), in upper case, so that comparing
    // them as text orders segments; empty for a timeline history file.
    std::string position;
};

// nullopt when `name` is not a name PostgreSQL's archiver hands to an archive module.
std::optional<WalFileName> parse_wal_file_name(std::string_view name);
// Throws InvalidValue saying which names are allowed.
WalFileName wal_file_name(std::string_view name);

// "~wal/": every archived file is below it.
extern const char *const wal_archive_root;
// "~wal/<timeline>/<name>-": the one prefix that holds the objects of `file`.
std::string wal_object_prefix(const WalFileName &file);
std::string wal_object_key(const WalFileName &file, const std::string &sha256,
                           Compression compression, bool encrypted);

struct ArchivedWalObject {
    std::string key;
    WalFileName file;
    std::string sha256; // 64 lower-case hex digits
    Compression compression;
    bool encrypted;
};
// nullopt for a key that wal_object_key() did not make.
std::optional<ArchivedWalObject> parse_wal_object_key(std::string_view key);

// LSNs as PostgreSQL writes them ("16/B374D848").
std::uint64_t parse_lsn(std::string_view text); // throws InvalidValue
std::string format_lsn(std::uint64_t lsn);
// The name of the segment that holds `lsn` on `timeline`, for a cluster whose segments are
// `segment_size` bytes (a power of two from 1 MiB to 1 GiB; 16 MiB unless initdb said otherwise).
std::string wal_segment_name(std::uint32_t timeline, std::uint64_t lsn, std::uint64_t segment_size);

} // namespace lokbackup
