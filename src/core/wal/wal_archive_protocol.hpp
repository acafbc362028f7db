// The conversation between PostgreSQL's archiver (lokbackup as its archive module,
// extension/wal_archive_module.cpp) and the WAL archive child (`lokbackup wal-archive-child`),
// which does the data path: reading, hashing, compressing, encrypting and storing each file. The
// archiver writes the settings once, then one request per file, each one line of JSON on the
// child's stdin (the S3 keys travel there, never in argv); the child answers each request with
// one line of JSON on its stdout, in order.
#pragma once

#include "core/backup/backup_request.hpp"
#include "core/crypto/backup_encryption.hpp"
#include "core/pipeline/codec.hpp"
#include "core/storage/storage.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace lokbackup
{

// What the child is started with; when the server's settings change, the archiver starts another
// child with the new ones.
struct WalArchiveSettings {
    std::string storage; // storage spec, as for open_storage()
    S3Options s3;        // for an s3:// storage spec; holds the S3 secrets
    Compression compression = Compression::zstd;
    int compression_level = 0; // 0: the codec's default
    BackupEncryption encryption;
    // lokbackup.storage_copy: each file is archived there too, after the primary. A required copy
    // that fails fails the file (the archiver retries it; the primary has it already); an
    // optional one is reported in the answer's copy_error.
    std::optional<StorageCopyRequest> copy;
};

std::string wal_archive_settings_to_json(const WalArchiveSettings &settings);
WalArchiveSettings wal_archive_settings_from_json(const std::string &line);

// One file to archive, as the archive module API hands it over.
struct WalArchiveRequest {
    std::string path; // absolute, to read it from
    std::string name; // the name in pg_wal, which names the object
};

std::string wal_archive_request_to_json(const WalArchiveRequest &request);
WalArchiveRequest wal_archive_request_from_json(const std::string &line);

// The child's answer to one request.
struct WalArchiveAnswer {
    enum class Outcome {
        stored,         // written now, and complete in storage
        already_stored, // an object of the same name and content was there: nothing written
        failed,         // nothing archived; `error` says why
    };
    Outcome outcome = Outcome::failed;
    std::string name;   // the request's
    std::string key;    // the object's (not when failed)
    std::string sha256; // of the file as PostgreSQL wrote it (not when failed)
    std::uint64_t raw_bytes = 0;
    std::uint64_t stored_bytes = 0; // 0 unless stored now
    std::string error;              // when failed
    std::string copy_error;         // archived, but an optional copy failed: why, naming where
    bool ok() const { return outcome != Outcome::failed; }
};

// One line of JSON, without the trailing newline.
std::string wal_archive_answer_to_json(const WalArchiveAnswer &answer);
WalArchiveAnswer wal_archive_answer_from_json(const std::string &line);

} // namespace lokbackup
