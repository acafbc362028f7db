// The WAL archive child's work on one file (cli/server_helpers/wal_archive_child.cpp): what is
// already in storage decides whether the file is uploaded, and the upload streams the file
// through the object's codec and encryption into storage, as a backup streams a dump.
#pragma once

#include "core/crypto/age_keys.hpp"
#include "core/storage/storage.hpp"
#include "core/wal/wal_archive_key.hpp"
#include "core/wal/wal_archive_protocol.hpp"

#include <optional>
#include <string>
#include <vector>

namespace lokbackup
{

// Of the keys listed under wal_object_prefix(file): the one that holds `sha256`, or nullopt when
// none is there (keys not made by wal_object_key() are no file's). Throws Error when another
// content of the file is stored: the archiver must never replace, nor add a second version of, a
// file that recovery would read.
std::optional<std::string> stored_wal_object(const std::vector<std::string> &keys,
                                             const WalFileName &file, const std::string &sha256);

class WalArchiver
{
  public:
    // Reads the encryption keys (a passphrase file) once. Throws InvalidValue or Error as
    // encryption_keys() does.
    WalArchiver(Storage &storage, const WalArchiveSettings &settings);

    // Archives one file: answers stored or already_stored once the object is complete in storage.
    // Throws Error saying what failed; nothing is stored then.
    WalArchiveAnswer archive(const WalArchiveRequest &request);

  private:
    // Streams the file into `key`; throws Error when its content is not `sha256` any more.
    std::uint64_t upload(const std::string &path, const std::string &key,
                         const std::string &sha256);

    Storage &storage_;
    Compression compression_;
    int level_;
    std::optional<AgeEncryptionKeys> keys_;
};

} // namespace lokbackup
