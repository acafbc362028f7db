// The WAL archive child's end of its pipes, `lokbackup wal-archive-child`: PostgreSQL's archiver
// (extension/wal_archive_child.cpp) starts it once and hands it file after file, so that the data
// path of archiving (reading, hashing, compressing, encrypting, storing) runs outside the server,
// and no process is started per segment.
#include "cli/command.hpp"
#include "cli/restore/object_source.hpp"
#include "cli/server_helpers/child_request.hpp"
#include "core/storage/open_storage.hpp"
#include "core/wal/wal_archiver.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

namespace lokbackup::cli
{

namespace
{

const char *const help =
    R"(lokbackup wal-archive-child: archive WAL files for the server's archiver

Usage:
  lokbackup wal-archive-child < REQUESTS

Internal: PostgreSQL's archiver runs this when archive_library = 'lokbackup'. It reads the
settings (one line of JSON) on stdin, then one request a line, each a file to archive, and
answers each with one line of JSON on stdout: stored, already stored, or failed and why. With
lokbackup.storage_copy each file is archived there too. It exits with 0 at the end of its input.
)";

void answer(const WalArchiveAnswer &answer)
{
    // One line per flush: the archiver waits for each.
    std::cout << wal_archive_answer_to_json(answer) << "\n" << std::flush;
}

// An optional copy must not hold up archiving: its requests give up sooner than the primary's,
// and after a failure the copy is left alone this long (each file meanwhile is reported as not
// copied), so that an unreachable second destination costs one slow attempt a minute at most.
constexpr int optional_copy_retry_deadline_seconds = 20;
constexpr int optional_copy_stall_timeout_seconds = 10;
constexpr std::chrono::seconds optional_copy_rest{60};

// Where each file goes: the primary storage and, with lokbackup.storage_copy, the second
// destination, each with its own archiver. Opened afresh after a failure: a storage driver that
// gave up a request sends nothing more (a backup fails as a whole), and the archiver retries the
// file, which must meet storage afresh. The copy is opened when a file goes there, so that a copy
// that cannot even be opened fails that copy, not the child.
class WalDestinations
{
  public:
    explicit WalDestinations(const WalArchiveSettings &settings) : settings_(settings)
    {
        if (settings_.copy && !settings_.copy->required) {
            S3Options &s3 = settings_.copy->s3;
            s3.retry_deadline_seconds =
                std::min(s3.retry_deadline_seconds, optional_copy_retry_deadline_seconds);
            s3.stall_timeout_seconds =
                std::min(s3.stall_timeout_seconds, optional_copy_stall_timeout_seconds);
        }
        open();
    }

    // Archives the file in the primary, then in the copy. Throws Error when the primary fails, or
    // a required copy does (the primary's object stays: a retry finds it already stored); an
    // optional copy that fails, or rests after a failure, is reported in the answer's copy_error.
    WalArchiveAnswer archive(const WalArchiveRequest &request)
    {
        WalArchiveAnswer answer = primary_archiver_->archive(request);
        if (!settings_.copy)
            return answer;
        const StorageCopyRequest &copy = *settings_.copy;
        auto now = std::chrono::steady_clock::now();
        if (!copy.required && copy_failed_at_ && now - *copy_failed_at_ < optional_copy_rest) {
            answer.copy_error = "its copy in " + copy.storage +
                                " is not written for a minute after it failed: " + copy_failure_;
            return answer;
        }
        try {
            copy_archiver().archive(request);
            copy_failed_at_.reset();
        } catch (const std::exception &error) {
            std::string why = "its copy in " + copy.storage + " failed: " + error.what();
            if (copy.required)
                throw Error(request.name + " is archived in " + settings_.storage + ", but " + why +
                            " (lokbackup.storage_copy_required is on)");
            answer.copy_error = why;
            copy_failure_ = error.what();
            copy_failed_at_ = now;
            close_copy();
        }
        return answer;
    }

    void open()
    {
        primary_archiver_.reset();
        close_copy();
        primary_ = open_storage(StorageConfig(settings_.storage, settings_.s3, print_storage_log));
        primary_archiver_.emplace(*primary_, settings_);
    }

  private:
    WalArchiver &copy_archiver()
    {
        if (!copy_archiver_) {
            copy_ = open_storage(
                StorageConfig(settings_.copy->storage, settings_.copy->s3, print_storage_log));
            copy_archiver_.emplace(*copy_, settings_);
        }
        return *copy_archiver_;
    }

    void close_copy()
    {
        copy_archiver_.reset();
        copy_.reset();
    }

    WalArchiveSettings settings_;
    std::unique_ptr<Storage> primary_;
    std::unique_ptr<Storage> copy_;
    std::optional<WalArchiver> primary_archiver_;
    std::optional<WalArchiver> copy_archiver_;
    std::optional<std::chrono::steady_clock::time_point> copy_failed_at_;
    std::string copy_failure_;
};

WalArchiveAnswer archive_one(WalDestinations &destinations, const std::string &line)
{
    WalArchiveRequest request;
    try {
        request = wal_archive_request_from_json(line);
        return destinations.archive(request);
    } catch (const std::exception &error) {
        WalArchiveAnswer failed;
        failed.name = request.name;
        failed.error = error.what();
        return failed;
    }
}

int wal_archive_child(const std::vector<std::string> &argument_list)
{
    check_child_arguments("wal-archive-child", argument_list);
    std::string line;
    if (!std::getline(std::cin, line))
        throw Error("no settings on stdin");
    WalArchiveSettings settings = wal_archive_settings_from_json(line);
    // Retried storage requests are logged on stderr, which is the server's log.
    WalDestinations destinations(settings);
    while (std::getline(std::cin, line)) {
        WalArchiveAnswer outcome = archive_one(destinations, line);
        answer(outcome);
        if (!outcome.ok())
            destinations.open();
    }
    return 0;
}

// A failure before the first request (the settings, the storage, the keys) answers the request
// that the archiver is waiting for, or will write.
void report_failure(const std::string &message)
{
    WalArchiveAnswer failed;
    failed.error = message;
    answer(failed);
}

} // namespace

const Command wal_archive_child_command = {"wal-archive-child",
                                           "archive WAL files for the server's archiver "
                                           "(internal)",
                                           help,
                                           wal_archive_child,
                                           report_failure,
                                           false,
                                           false};

} // namespace lokbackup::cli
