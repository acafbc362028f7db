// Helpers shared by the core unit tests.
#pragma once

#include "core/base/error.hpp"
#include "core/notify/notification.hpp"
#include "core/base/sink.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lokbackup::test
{

// A fresh directory (mkdtemp) removed with everything in it at the end of the test.
class TempDir
{
  public:
    TempDir()
    {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "lokbackup-test-XXXXXX").string();
        if (!mkdtemp(pattern.data()))
            throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;

    const std::filesystem::path &path() const { return path_; }

  private:
    std::filesystem::path path_;
};

// Collects everything written to it.
class StringSink : public Sink
{
  public:
    void write(const char *data, std::size_t size) override { text.append(data, size); }
    void finish() override { ++finishes; }

    std::string text;
    int finishes = 0;
};

// A StringSink that notes its largest write: a streaming stage's buffering must not grow with
// its input.
class LargestWriteSink : public StringSink
{
  public:
    void write(const char *data, std::size_t size) override
    {
        largest = std::max(largest, size);
        StringSink::write(data, size);
    }
    std::size_t largest = 0;
};

// Writes `data` in chunks of varying odd sizes (1 byte up to about 100 KiB), then finishes.
inline void write_in_chunks(Sink &sink, std::string_view data)
{
    static constexpr std::size_t sizes[] = {1, 7, 4093, 65537, 99991, 13, 131071};
    std::size_t next = 0;
    for (std::size_t pos = 0; pos < data.size(); next = (next + 1) % std::size(sizes)) {
        std::size_t size = std::min(sizes[next], data.size() - pos);
        sink.write(data.data() + pos, size);
        pos += size;
    }
    sink.finish();
}

// `size` bytes alternating between pseudo-random blocks and repetitive text, deterministic for a
// given seed: compressors see both incompressible and highly compressible input.
inline std::string mixed_data(std::size_t size, std::uint32_t seed = 42)
{
    std::mt19937 random(seed);
    std::string data;
    data.reserve(size);
    const std::string line = "INSERT INTO accounts VALUES (42, 'repetitive row');\n";
    while (data.size() < size) {
        std::size_t block = std::min<std::size_t>(random() % 65536 + 1, size - data.size());
        if (random() % 2) {
            for (std::size_t i = 0; i < block; ++i)
                data += static_cast<char>(random());
        } else {
            for (std::size_t i = 0; i < block; ++i)
                data += line[i % line.size()];
        }
    }
    return data;
}

// The message of the lokbackup::Error that `action` throws, or "(no error)".
template <typename Action> std::string error_message(Action &&action)
{
    try {
        action();
    } catch (const Error &e) {
        return e.what();
    }
    return "(no error)";
}

// %XX sequences decoded, as S3 and the SigV4 vectors write keys and query parameters.
inline std::string percent_decode(const std::string &text)
{
    std::string decoded;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            decoded += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            decoded += text[i];
        }
    }
    return decoded;
}

// The notice of a failed backup that the notification tests send.
inline BackupNotice failed_notice()
{
    BackupNotice notice;
    notice.server = "db1";
    notice.database = "app";
    notice.backup_id = 42;
    notice.type = "daily";
    notice.status = "failed";
    notice.error = "pg_dump: error: connection to server failed: FATAL:  role \"x\" does not exist";
    notice.duration_seconds = 12.5;
    notice.started_at = "2026-11-25T03:00:00Z";
    notice.finished_at = "2026-11-25T03:00:12Z";
    return notice;
}

inline std::string read_file(const std::filesystem::path &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path.string());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::filesystem::path &path, std::string_view data)
{
    std::ofstream out(path, std::ios::binary);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

} // namespace lokbackup::test
