#include "core/wal/wal_archiver.hpp"

#include "core/base/error.hpp"
#include "core/crypto/age_encryptor.hpp"
#include "core/crypto/backup_encryption.hpp"
#include "core/pipeline/sha256.hpp"

#include <cerrno>
#include <fcntl.h>
#include <memory>
#include <unistd.h>
#include <vector>

namespace lokbackup
{

namespace
{

constexpr std::size_t read_size = 1 << 20;

// A file of pg_wal, read in pieces of read_size: memory stays flat whatever the segment size.
class WalFile
{
  public:
    explicit WalFile(const std::string &path) : path_(path), fd_(::open(path.c_str(), O_RDONLY))
    {
        if (fd_ < 0)
            throw_system_error("could not open WAL file \"" + path + "\"");
    }
    ~WalFile() { ::close(fd_); }
    WalFile(const WalFile &) = delete;
    WalFile &operator=(const WalFile &) = delete;

    // Calls `piece(data, size)` for each piece, to the end of the file.
    template <typename Piece> void read_all(Piece piece)
    {
        std::vector<char> buffer(read_size);
        for (;;) {
            ssize_t got = ::read(fd_, buffer.data(), buffer.size());
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0)
                throw_system_error("could not read WAL file \"" + path_ + "\"");
            if (got == 0)
                return;
            piece(buffer.data(), static_cast<std::size_t>(got));
        }
    }

  private:
    std::string path_;
    int fd_;
};

struct FileDigest {
    std::string sha256;
    std::uint64_t bytes = 0;
};

FileDigest digest_of(const std::string &path)
{
    Sha256 hash;
    FileDigest digest;
    WalFile(path).read_all([&](const char *data, std::size_t size) {
        hash.update(data, size);
        digest.bytes += size;
    });
    digest.sha256 = hash.hex_digest();
    return digest;
}

} // namespace

std::optional<std::string> stored_wal_object(const std::vector<std::string> &keys,
                                             const WalFileName &file, const std::string &sha256)
{
    std::optional<std::string> same;
    std::optional<ArchivedWalObject> other;
    for (const std::string &key : keys) {
        std::optional<ArchivedWalObject> object = parse_wal_object_key(key);
        if (!object || object->file.name != file.name)
            continue;
        if (object->sha256 == sha256)
            same = key;
        else
            other = object;
    }
    if (other)
        throw Error("a different WAL file named " + file.name + " is already archived (object \"" +
                    other->key + "\", SHA-256 " + other->sha256 + ", this file's is " + sha256 +
                    "); nothing was overwritten. Two clusters may be archiving into the same "
                    "storage: give each its own lokbackup.storage");
    return same;
}

WalArchiver::WalArchiver(Storage &storage, const WalArchiveSettings &settings)
    : storage_(storage), compression_(settings.compression),
      level_(effective_level(settings.compression, settings.compression_level))
{
    if (settings.encryption.enabled())
        keys_ = encryption_keys(settings.encryption);
}

WalArchiveAnswer WalArchiver::archive(const WalArchiveRequest &request)
{
    WalFileName file = wal_file_name(request.name);
    FileDigest digest = digest_of(request.path);
    WalArchiveAnswer answer;
    answer.name = request.name;
    answer.sha256 = digest.sha256;
    answer.raw_bytes = digest.bytes;
    std::optional<std::string> stored =
        stored_wal_object(storage_.list(wal_object_prefix(file)), file, digest.sha256);
    if (stored) {
        answer.outcome = WalArchiveAnswer::Outcome::already_stored;
        answer.key = *stored;
        return answer;
    }
    answer.key = wal_object_key(file, digest.sha256, compression_, keys_.has_value());
    answer.stored_bytes = upload(request.path, answer.key, digest.sha256);
    answer.outcome = WalArchiveAnswer::Outcome::stored;
    return answer;
}

std::uint64_t WalArchiver::upload(const std::string &path, const std::string &key,
                                  const std::string &sha256)
{
    std::unique_ptr<ObjectWriter> writer = storage_.create(key);
    HashingSink stored(*writer);
    std::unique_ptr<Sink> encryptor = keys_ ? make_age_encryptor(*keys_, stored) : nullptr;
    std::unique_ptr<Sink> compressor =
        make_compressor(compression_, level_, encryptor ? *encryptor : stored);
    Sha256 raw;
    WalFile(path).read_all([&](const char *data, std::size_t size) {
        raw.update(data, size);
        compressor->write(data, size);
    });
    // The key names the content: PostgreSQL never changes a file it hands to the archiver, but
    // should it have, the object is not published under another content's name.
    std::string read_now = raw.hex_digest();
    if (read_now != sha256) {
        writer->abort();
        throw Error("WAL file \"" + path + "\" changed while it was archived (SHA-256 " + sha256 +
                    ", then " + read_now + "); nothing was stored");
    }
    // Finishes the writer last: the object is complete in storage when this returns.
    compressor->finish();
    return stored.bytes();
}

} // namespace lokbackup
