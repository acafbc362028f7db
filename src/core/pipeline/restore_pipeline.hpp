// The data path of a restore: stored object -> SHA-256 -> decryption -> decompression -> replay
// (psql or pg_restore, in a single transaction). The replay receives its last bytes and its end of
// input only after the whole object has been read and its checksum matched; on a mismatch the
// replay is killed with its transaction open, so nothing is committed in the target. An object
// larger than its record is refused at its first byte too many, or before the replay starts when
// the storage tells the size; a psql replay reads the object restricted
// (core/pipeline/restricted_script.hpp).
#pragma once

#include "core/crypto/age_keys.hpp"
#include "core/pipeline/codec.hpp"
#include "core/base/process.hpp"
#include "core/storage/storage.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace lokbackup
{

struct ExpectedObject {
    std::string sha256;
    std::uint64_t size = 0;
    Compression compression = Compression::zstd;
    bool encrypted = false; // with age, after compression
    // What decrypts an encrypted object; none: a verify compares size and checksum only, and a
    // restore is refused.
    const AgeDecryptionKeys *keys = nullptr;
};

// The program that replays the decompressed object from its stdin.
struct Replay {
    ProcessSpec process;
    // psql, which reads the object as a script: its input starts with a \restrict of a fresh key.
    bool psql_script = false;
};

using RestoreProgress = std::function<void(std::uint64_t stored_bytes_read)>;

// Throws Error on a checksum or size mismatch, a corrupt stream, or a failed replay (with the tail
// of its stderr).
void run_restore(ObjectReader &object, const ExpectedObject &expected, const Replay &replay,
                 const RestoreProgress &progress);

// Re-reads the object and compares size and SHA-256, and checks that it decrypts (when it is
// encrypted and keys are given) and decompresses; throws BackupDamaged describing any difference,
// and Error when the object cannot be read or the keys do not open it. `progress`, when given, is
// called for every part of the object read, and may throw to stop the read.
void verify_object(ObjectReader &object, const ExpectedObject &expected,
                   const RestoreProgress &progress = nullptr);

} // namespace lokbackup
