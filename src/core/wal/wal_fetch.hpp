// What `lokbackup wal-fetch` does for PostgreSQL's restore_command: find the archived object of one
// WAL file, and hand PostgreSQL the file only once its SHA-256 is the one in the object's key (the
// SHA-256 of the file as PostgreSQL wrote it, core/wal/wal_archive_key.hpp).
#pragma once

#include "core/crypto/age_keys.hpp"
#include "core/storage/storage.hpp"
#include "core/wal/wal_archive_key.hpp"

#include <optional>
#include <string>

namespace lokbackup
{

// The object that holds `file`; nullopt when the archive has none (PostgreSQL asks for files that
// do not exist as a matter of course: the next timeline's history, the segment past the end).
// Copies with the same SHA-256 (compressed or encrypted otherwise) are one file: the one in clear
// is preferred. Throws BackupDamaged when objects of that name have different SHA-256s: the
// archive is inconsistent, and which of them the server wrote cannot be told.
std::optional<ArchivedWalObject> find_archived_wal(Storage &storage, const WalFileName &file);

// Reads `object`, decrypts it (with `keys`, which may be null for an object in clear) and
// decompresses it into `destination`, which appears, fsynced, only when the result's SHA-256 is
// the key's: otherwise nothing is left at `destination` (an existing file there is replaced only
// on success). Throws BackupDamaged naming the file, the object and both checksums on a mismatch,
// or what does not decrypt or decompress; Error when storage cannot be read or `destination`
// written; AgeKeyRefused when the keys do not open it.
void fetch_archived_wal(Storage &storage, const ArchivedWalObject &object,
                        const std::string &destination, const AgeDecryptionKeys *keys);

} // namespace lokbackup
