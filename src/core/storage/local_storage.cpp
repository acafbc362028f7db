#include "core/storage/local_storage.hpp"

#include "core/base/error.hpp"
#include "core/base/process.hpp"
#include "core/base/text.hpp"

#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace lokbackup
{

namespace
{

namespace fs = std::filesystem;

constexpr std::string_view partial_suffix = ".partial";

// Small writes are gathered up to this size; larger ones go to the file directly.
constexpr std::size_t write_buffer_size = 1024 * 1024;

// A key names a file below the root: it may not climb out of it, nor collide with the temporary
// file of another key's writer.
void check_key(const std::string &key)
{
    check_object_key(key);
    if (ends_with(key, partial_suffix))
        throw Error("invalid object key \"" + key +
                    "\": the suffix .partial is reserved for incomplete objects");
}

class FileDescriptor
{
  public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() { close(); }
    FileDescriptor(const FileDescriptor &) = delete;
    FileDescriptor &operator=(const FileDescriptor &) = delete;

    int get() const { return fd_; }
    // Returns close()'s result: for a written file, it can report a failed delayed write.
    int close()
    {
        int result = fd_ >= 0 ? ::close(fd_) : 0;
        fd_ = -1;
        return result;
    }

  private:
    int fd_;
};

void sync_directory(const fs::path &directory)
{
    FileDescriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0 || ::fsync(fd.get()) != 0)
        throw_system_error("cannot sync directory " + directory.string());
}

// Returns false when the parent directory is missing. A new directory's entry is synced, so that
// an object published below it survives a crash.
bool make_directory(const fs::path &directory)
{
    if (::mkdir(directory.c_str(), 0700) == 0) {
        sync_directory(directory.parent_path());
        return true;
    }
    if (errno == EEXIST)
        return true;
    if (errno != ENOENT)
        throw_system_error("cannot create directory " + directory.string());
    return false;
}

// The root is never created: a missing one is a mistyped path or a file system that is not
// mounted, and creating it would put backups on the wrong disk (the root file system).
void check_root(const fs::path &root)
{
    struct stat status;
    if (::stat(root.c_str(), &status) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            throw Error("storage directory \"" + root.string() +
                        "\" does not exist (a mistyped path, or a file system that is not "
                        "mounted?): create it, owned by the server's operating-system user, mode "
                        "0700");
        throw_system_error("cannot use storage directory " + root.string());
    }
    if (!S_ISDIR(status.st_mode))
        throw Error("storage directory \"" + root.string() + "\" is not a directory");
}

// Creates `directory` and the directories between it and `root`, which must exist.
void make_directories_below(const fs::path &root, const fs::path &directory)
{
    if (directory == root) {
        check_root(root);
        return;
    }
    if (make_directory(directory))
        return;
    make_directories_below(root, directory.parent_path());
    if (!make_directory(directory))
        throw_system_error("cannot create directory " + directory.string());
}

// Opens "<path>.partial" for writing, creating the directories between the root and it.
int create_partial_file(const fs::path &root, const fs::path &directory, const std::string &partial)
{
    // remove() prunes directories that become empty; if it prunes this one between its creation
    // and the open, creating it again is enough.
    constexpr int attempts = 3;
    for (int attempt = 1;; ++attempt) {
        make_directories_below(root, directory);
        int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd >= 0)
            return fd;
        if (errno != ENOENT || attempt == attempts)
            throw_system_error("cannot create " + partial);
    }
}

class LocalObjectWriter : public ObjectWriter
{
  public:
    LocalObjectWriter(const fs::path &root, const fs::path &path, StorageAcknowledged acknowledged)
        : path_(path), partial_(path.string() + std::string(partial_suffix)),
          fd_(create_partial_file(root, path.parent_path(), partial_)),
          acknowledged_(std::move(acknowledged))
    {
        buffer_.reserve(write_buffer_size);
    }
    ~LocalObjectWriter() override { abort(); }

    void write(const char *data, std::size_t size) override
    {
        if (buffer_.size() + size > write_buffer_size)
            flush();
        if (size >= write_buffer_size)
            write_file(data, size);
        else
            buffer_.insert(buffer_.end(), data, data + size);
    }

    void finish() override
    {
        flush();
        if (::fsync(fd_.get()) != 0)
            throw_system_error("cannot sync " + partial_);
        if (fd_.close() != 0)
            throw_system_error("cannot close " + partial_);
        if (::rename(partial_.c_str(), path_.c_str()) != 0)
            throw_system_error("cannot rename " + partial_ + " to " + path_.string());
        done_ = true;
        sync_directory(path_.parent_path());
    }

    void abort() noexcept override
    {
        if (done_)
            return;
        done_ = true;
        fd_.close();
        ::unlink(partial_.c_str());
    }

  private:
    void flush()
    {
        write_file(buffer_.data(), buffer_.size());
        buffer_.clear();
    }

    void write_file(const char *data, std::size_t size)
    {
        write_all(fd_.get(), data, size, partial_);
        if (acknowledged_)
            acknowledged_(size);
    }

    fs::path path_;
    std::string partial_;
    FileDescriptor fd_;
    StorageAcknowledged acknowledged_;
    std::vector<char> buffer_;
    bool done_ = false; // published or discarded
};

class LocalObjectReader : public ObjectReader
{
  public:
    explicit LocalObjectReader(const fs::path &path)
        : path_(path), fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC))
    {
        if (fd_.get() >= 0)
            return;
        if (errno == ENOENT)
            throw BackupDamaged("backup object not found: " + path_.string());
        throw_system_error("cannot open " + path_.string());
    }

    std::size_t read(char *buffer, std::size_t capacity) override
    {
        while (true) {
            ssize_t count = ::read(fd_.get(), buffer, capacity);
            if (count >= 0)
                return static_cast<std::size_t>(count);
            if (errno != EINTR)
                throw_system_error("cannot read " + path_.string());
        }
    }

    std::optional<std::uint64_t> size() const override
    {
        struct stat status;
        if (fstat(fd_.get(), &status) != 0)
            return std::nullopt;
        return static_cast<std::uint64_t>(status.st_size);
    }

  private:
    fs::path path_;
    FileDescriptor fd_;
};

class LocalStorage : public Storage
{
  public:
    // The root is checked as an object is written, not here: reading, listing and removing in a
    // missing root find nothing, and a root that is unmounted after opening is refused too.
    LocalStorage(fs::path root, StorageAcknowledged acknowledged)
        : root_(std::move(root)), acknowledged_(std::move(acknowledged))
    {
    }

    std::unique_ptr<ObjectWriter> create(const std::string &key) override
    {
        return std::make_unique<LocalObjectWriter>(root_, path_of(key), acknowledged_);
    }

    std::unique_ptr<ObjectReader> open(const std::string &key) override
    {
        return std::make_unique<LocalObjectReader>(path_of(key));
    }

    void remove(const std::string &key) override { remove_file(path_of(key)); }

    void discard_incomplete(const std::string &key) override
    {
        remove_file(path_of(key).string() + std::string(partial_suffix));
    }

    std::vector<IncompleteUpload> incomplete_uploads() override
    {
        std::vector<IncompleteUpload> uploads;
        try {
            if (!fs::exists(root_))
                return uploads;
            for (const fs::directory_entry &entry : fs::recursive_directory_iterator(root_)) {
                std::string name = entry.path().lexically_relative(root_).generic_string();
                struct stat status;
                if (!entry.is_regular_file() || !ends_with(name, partial_suffix) ||
                    ::stat(entry.path().c_str(), &status) != 0)
                    continue;
                name.resize(name.size() - partial_suffix.size());
                uploads.push_back({name, "", status.st_mtime});
            }
        } catch (const fs::filesystem_error &e) {
            throw Error("cannot list " + root_.string() + ": " + e.code().message());
        }
        return uploads;
    }

    void discard_upload(const IncompleteUpload &upload) override { discard_incomplete(upload.key); }

    std::vector<ListedObject> list_objects(const std::string &prefix) override
    {
        // Only the directory that the prefix names needs walking.
        std::string::size_type slash = prefix.rfind('/');
        fs::path start = slash == std::string::npos ? root_ : path_of(prefix.substr(0, slash));
        std::vector<ListedObject> keys;
        try {
            if (!fs::exists(start))
                return keys;
            for (const fs::directory_entry &entry : fs::recursive_directory_iterator(start)) {
                std::string key = entry.path().lexically_relative(root_).generic_string();
                if (entry.is_regular_file() && key.compare(0, prefix.size(), prefix) == 0 &&
                    !ends_with(key, partial_suffix))
                    keys.push_back({std::move(key), entry.file_size()});
            }
        } catch (const fs::filesystem_error &e) {
            throw Error("cannot list " + start.string() + ": " + e.code().message());
        }
        return keys;
    }

    std::string location(const std::string &key) override { return path_of(key).string(); }

    std::string presigned_url(const std::string &, std::chrono::seconds) override
    {
        throw Unsupported("presigned URLs need S3 storage");
    }

    std::string describe() const override { return "local directory " + root_.string(); }

  private:
    fs::path path_of(const std::string &key) const
    {
        check_key(key);
        return root_ / key;
    }

    void remove_file(const fs::path &path) const
    {
        if (::unlink(path.c_str()) != 0 && errno != ENOENT)
            throw_system_error("cannot remove " + path.string());
        // Directories left empty go too, up to the root. Pruning is tidiness only: a directory
        // that is not empty (or cannot be removed) simply stays.
        for (fs::path directory = path.parent_path(); directory != root_;
             directory = directory.parent_path()) {
            if (::rmdir(directory.c_str()) != 0)
                break;
        }
    }

    fs::path root_;
    StorageAcknowledged acknowledged_;
};

// "/srv/backups/" and "/srv//backups" are the same root as "/srv/backups".
fs::path normal_root(const std::string &directory)
{
    fs::path root = fs::path(directory).lexically_normal();
    if (!root.has_filename() && root.has_relative_path())
        root = root.parent_path();
    return root;
}

} // namespace

std::unique_ptr<Storage> open_local_storage(const std::string &directory,
                                            StorageAcknowledged acknowledged)
{
    return std::make_unique<LocalStorage>(normal_root(directory), std::move(acknowledged));
}

void create_storage_directory(const std::string &directory)
{
    fs::path root = normal_root(directory);
    if (!make_directory(root))
        throw_system_error("cannot create storage directory " + root.string());
}

} // namespace lokbackup
