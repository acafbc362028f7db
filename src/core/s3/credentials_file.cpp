#include "core/s3/credentials_file.hpp"

#include "core/base/error.hpp"
#include "core/base/process.hpp"
#include "core/base/text.hpp"

#include <cstdio>
#include <fcntl.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace lokbackup
{

namespace
{

// The keys a file may set, and where each goes.
const std::pair<const char *, std::string S3Options::*> keys[] = {
    {"AWS_ACCESS_KEY_ID", &S3Options::access_key_id},
    {"AWS_SECRET_ACCESS_KEY", &S3Options::secret_access_key},
    {"AWS_SESSION_TOKEN", &S3Options::session_token}};

class OpenFile
{
  public:
    OpenFile(const std::string &path, int flags, mode_t mode = 0)
        : fd_(::open(path.c_str(), flags | O_CLOEXEC | O_NOFOLLOW, mode))
    {
    }
    ~OpenFile()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    OpenFile(const OpenFile &) = delete;
    OpenFile &operator=(const OpenFile &) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

std::string read_private_file(const std::string &path)
{
    OpenFile file(path, O_RDONLY);
    if (file.get() < 0)
        throw_system_error("cannot open the credentials file " + path);
    struct stat status {
    };
    if (::fstat(file.get(), &status) != 0)
        throw_system_error("cannot read the credentials file " + path);
    if (!S_ISREG(status.st_mode))
        throw Error("the credentials file " + path + " is not a regular file");
    if ((status.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(status.st_mode & 07777));
        throw Error("the credentials file " + path + " has mode " + mode +
                    ": group or others may read or change it, and it holds secret keys; make it "
                    "its owner's alone (chmod 600 " +
                    path + ")");
    }
    std::string text;
    char buffer[4096];
    for (;;) {
        ssize_t got = ::read(file.get(), buffer, sizeof buffer);
        if (got < 0)
            throw_system_error("cannot read the credentials file " + path);
        if (got == 0)
            return text;
        text.append(buffer, static_cast<std::size_t>(got));
    }
}

} // namespace

void read_s3_credentials_file(const std::string &path, S3Options &s3)
{
    std::istringstream lines(read_private_file(path));
    std::string line;
    for (int number = 1; std::getline(lines, line); ++number) {
        std::string_view content = trim(line);
        if (content.empty() || content[0] == '#')
            continue;
        std::size_t equals = content.find('=');
        std::string_view name = trim(content.substr(0, std::min(equals, content.size())));
        bool known = false;
        for (const auto &[key, member] : keys)
            if (equals != std::string_view::npos && name == key) {
                s3.*member = std::string(content.substr(equals + 1));
                known = true;
            }
        if (!known)
            throw Error("the credentials file " + path + ", line " + std::to_string(number) +
                        ": expected KEY=VALUE with KEY one of AWS_ACCESS_KEY_ID, "
                        "AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN");
    }
}

void write_s3_credentials_file(const std::string &path, const S3Options &s3)
{
    std::string text = "# S3 keys of lokbackup wal-fetch, written by lokbackup restore-pitr\n";
    for (const auto &[key, member] : keys)
        if (!(s3.*member).empty())
            text += std::string(key) + "=" + s3.*member + "\n";
    OpenFile file(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (file.get() < 0)
        throw_system_error("cannot create the credentials file " + path);
    write_all(file.get(), text.data(), text.size(), path);
    if (::fsync(file.get()) != 0)
        throw_system_error("cannot sync " + path);
}

} // namespace lokbackup
