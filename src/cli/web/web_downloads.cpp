// Downloads of a backup's object. GET .../download gives scripts a presigned URL (S3 storage
// only); GET .../object, the dashboard's, streams the object through serve, from every storage:
// serve reads it where a restore does (lokbackup_restore_plan()'s location, a path on this machine
// or a presigned URL), one chunk at a time, so that its memory stays flat whatever the size. A
// backup with a second destination is read from its first copy that storage has, primary first,
// as a restore reads it (a primary that failed verification is passed over).
#include "cli/restore/backup_plan.hpp"
#include "cli/restore/copy_choice.hpp"
#include "cli/restore/object_source.hpp"
#include "cli/web/web_errors.hpp"
#include "cli/web/web_log.hpp"
#include "cli/web/web_routes.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <string_view>
#include <vector>

namespace lokbackup::cli
{

namespace
{

void download_link(WebApp &app, const httplib::Request &request, httplib::Response &response)
{
    std::shared_ptr<Session> session = require_session(app.sessions, request, Access::read);
    Json link =
        session_json(app.sessions, request, *session,
                     "SELECT json_build_object('url', "
                     "@extschema@.lokbackup_download_url($1::bigint, interval '1 hour'), "
                     "'expiresAt', now() + interval '1 hour', 'fileName', "
                     "regexp_replace(object_key, '^.*/', '')) FROM @extschema@.lokbackup_status "
                     "WHERE id = $1::bigint",
                     {std::string(request.matches[1])});
    if (link.is_null())
        throw HttpError(404, "backup " + std::string(request.matches[1]) + " does not exist");
    send_json(response, 200, link);
}

// The object's bytes as httplib asks for them, from an ObjectReader that only goes forward. A
// Range request asks from an offset past 0: the bytes before it are read and dropped. httplib
// writes the headers before it asks, so a failure here can only cut the response short (it then
// closes the connection, and the client sees fewer bytes than Content-Length): it is logged.
class ObjectStream
{
  public:
    ObjectStream(std::unique_ptr<ObjectReader> reader, std::int64_t backup_id)
        : reader_(std::move(reader)), backup_id_(backup_id), size_(reader_->size())
    {
    }

    std::optional<std::uint64_t> size() const { return size_; }

    // Writes the next chunk of at most `most` bytes from `offset` on; at the end of an object of
    // unknown size, ends the response.
    bool write(std::size_t offset, std::size_t most, httplib::DataSink &sink)
    {
        try {
            if (offset < position_)
                return failed("a range before the bytes already sent was asked for");
            while (position_ < offset)
                if (!read(std::min(chunk_size, offset - position_)))
                    return failed("the object ends before the range asked for");
            std::size_t count = read(std::min(chunk_size, most));
            if (count == 0 && size_)
                return failed("the object ends before the " + std::to_string(*size_) +
                              " bytes that storage announced");
            if (count == 0) {
                sink.done();
                return true;
            }
            return sink.write(buffer_.data(), count);
        } catch (const std::exception &error) {
            // httplib calls this outside its try block: an exception would end serve.
            return failed(error.what());
        }
    }

  private:
    static constexpr std::size_t chunk_size = 64 * 1024;

    std::size_t read(std::size_t capacity)
    {
        std::size_t count = reader_->read(buffer_.data(), capacity);
        position_ += count;
        return count;
    }

    bool failed(const std::string &reason) const
    {
        log_line("download of backup " + std::to_string(backup_id_) + " stopped after " +
                 std::to_string(position_) + " bytes: " + printable(reason));
        return false;
    }

    std::unique_ptr<ObjectReader> reader_;
    std::int64_t backup_id_;
    std::optional<std::uint64_t> size_;
    std::size_t position_ = 0;
    std::vector<char> buffer_ = std::vector<char>(chunk_size);
};

// The last segment of the object key, for Content-Disposition. object_key() writes keys of
// [A-Za-z0-9._%~-] only; anything else becomes '_', so the header stays one quoted string.
std::string attachment_name(const std::string &object_key)
{
    std::string name = object_key.substr(object_key.rfind('/') + 1);
    for (char &c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) &&
            std::string_view("._%~-").find(c) == std::string_view::npos)
            c = '_';
    return name;
}

// The plan comes from lokbackup_restore_plan(), which writes the audit row (action
// restore_plan, with the actor): lokbackup_admin may not insert into lokbackup_audit itself, and
// lokbackup_download_url() refuses local storage.
void stream_object(WebApp &app, const httplib::Request &request, httplib::Response &response)
{
    std::shared_ptr<Session> session = require_session(app.sessions, request, Access::read);
    require_admin(app.sessions, request, *session);
    BackupSelector selector;
    selector.which = request.matches[1];
    BackupPlan plan;
    with_connection(app.sessions, request, *session, [&](Connection &connection) {
        plan = find_backup(
            selector, app.settings.connection.catalog_database,
            [&]() -> Connection & { return connection; }, BackupUse::download);
    });
    std::vector<std::string> notes;
    if (std::optional<std::string> passed_over = pass_over_failed_primary(plan))
        notes.push_back(*passed_over);
    std::unique_ptr<ObjectReader> reader;
    BackupCopy copy;
    try {
        copy = choose_copy(
            plan, [&](const BackupCopy &each) { reader = open_location(each.location); }, notes);
    } catch (const BackupDamaged &missing) {
        throw HttpError(404, missing.what(),
                        "The catalog lists backup " + selector.which +
                            ", but its storage does not have the object; lokbackup verify " +
                            selector.which + " records that.");
    }
    for (const std::string &note : notes)
        log_line("download of backup " + selector.which + ": " + printable(note));
    if (plan.copies.size() > 1 || !notes.empty())
        log_line("download of backup " + selector.which + " reads " +
                 printable(describe_copy(copy)));
    auto stream = std::make_shared<ObjectStream>(std::move(reader), plan.backup.id);
    response.set_header("Content-Disposition",
                        "attachment; filename=\"" + attachment_name(plan.backup.object_key) + "\"");
    response.set_header("Cache-Control", "no-store");
    // Which copy the bytes come from: "primary" (lokbackup.storage) or "copy".
    response.set_header("X-Lokbackup-Copy", copy.destination);
    const char *type = "application/octet-stream";
    if (std::optional<std::uint64_t> size = stream->size())
        response.set_content_provider(
            *size, type, [stream](std::size_t offset, std::size_t length, httplib::DataSink &sink) {
                return stream->write(offset, length, sink);
            });
    else
        response.set_chunked_content_provider(
            type, [stream](std::size_t offset, httplib::DataSink &sink) {
                return stream->write(offset, std::numeric_limits<std::size_t>::max(), sink);
            });
}

} // namespace

void add_download_routes(httplib::Server &server, WebApp &app)
{
    server.Get(R"(/api/admin/backups/(\d+)/download)", json_route(app, download_link));
    server.Get(R"(/api/admin/backups/(\d+)/object)", json_route(app, stream_object));
}

} // namespace lokbackup::cli
