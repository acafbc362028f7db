#include "core/wal/wal_fetch.hpp"

#include "core/base/error.hpp"
#include "core/base/text.hpp"
#include "core/pipeline/object_decoder.hpp"
#include "core/pipeline/sha256.hpp"
#include "core/storage/open_storage.hpp"

#include <filesystem>
#include <vector>

namespace lokbackup
{

namespace
{

constexpr std::size_t read_size = 1 << 20;

} // namespace

std::optional<ArchivedWalObject> find_archived_wal(Storage &storage, const WalFileName &file)
{
    std::vector<ArchivedWalObject> found;
    for (const std::string &key : storage.list(wal_object_prefix(file))) {
        std::optional<ArchivedWalObject> object = parse_wal_object_key(key);
        if (object && object->file.name == file.name)
            found.push_back(*object);
    }
    if (found.empty())
        return std::nullopt;
    std::vector<std::string> keys;
    const ArchivedWalObject *chosen = &found.front();
    bool consistent = true;
    for (const ArchivedWalObject &object : found) {
        keys.push_back(object.key);
        consistent = consistent && object.sha256 == chosen->sha256;
        if (chosen->encrypted && !object.encrypted)
            chosen = &object;
    }
    if (!consistent)
        throw BackupDamaged("the WAL archive is inconsistent: " + file.name +
                            " is stored with different contents (" + joined(keys) +
                            "); a WAL file has one content, and which of them the server wrote "
                            "cannot be told: remove the object that is not the server's, or "
                            "restore to a point before this file");
    return *chosen;
}

void fetch_archived_wal(Storage &storage, const ArchivedWalObject &object,
                        const std::string &destination, const AgeDecryptionKeys *keys)
{
    std::filesystem::path path = std::filesystem::absolute(destination);
    // The local driver's writer: a temporary name in the same directory, fsync, rename, fsync of
    // the directory; destroyed unfinished, it removes the temporary file.
    std::unique_ptr<Storage> directory = open_storage(StorageConfig(path.parent_path().string()));
    std::unique_ptr<ObjectWriter> file = directory->create(path.filename().string());
    HashingSink hashed(*file);
    // The decoder's finish() must not publish the file before its checksum is compared.
    UnfinishingSink held(hashed);
    std::string what =
        object.file.name + " (object " + object.key + " in " + storage.describe() + ")";
    try {
        ObjectDecoder decoder(object.compression, object.encrypted, keys, held);
        std::unique_ptr<ObjectReader> reader = storage.open(object.key);
        std::vector<char> buffer(read_size);
        while (std::size_t got = reader->read(buffer.data(), buffer.size()))
            decoder.input().write(buffer.data(), got);
        decoder.input().finish();
    } catch (const AgeKeyRefused &refused) {
        throw AgeKeyRefused(what + ": " + refused.what());
    } catch (const BackupDamaged &damaged) {
        throw BackupDamaged(what + " is damaged: " + damaged.what());
    } catch (const Error &error) {
        // The codecs report a corrupt stream as a plain Error; so does a failed read. Which one
        // it was, the message says; either way the file cannot be handed over.
        throw Error(what + ": " + error.what());
    }
    std::string found = hashed.hex_digest();
    if (found != object.sha256)
        throw BackupDamaged("checksum mismatch for WAL file " + what + ": expected SHA-256 " +
                            object.sha256 + ", found " + found +
                            "; the file was not handed to PostgreSQL");
    file->finish();
}

} // namespace lokbackup
