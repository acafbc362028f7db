#include "core/storage/open_storage.hpp"
#include "core/pipeline/backup_pipeline.hpp"

#include "core/storage/backup_objects.hpp"
#include "core/storage/copying_writer.hpp"
#include "core/pipeline/backup_progress.hpp"
#include "core/backup/client_version.hpp"
#include "core/backup/dump_script_scanner.hpp"
#include "core/base/error.hpp"
#include "core/backup/manifest.hpp"
#include "core/storage/object_key.hpp"
#include "core/pipeline/sha256.hpp"
#include "core/storage/storage.hpp"
#include "core/base/supervised_process.hpp"
#include "core/base/text.hpp"
#include "core/crypto/age_encryptor.hpp"
#include "core/crypto/backup_encryption.hpp"
#include "core/wal/base_backup_tar.hpp"

#include <cerrno>
#include <csignal>
#include <memory>
#include <chrono>
#include <ctime>
#include <future>
#include <unistd.h>
#include <vector>

namespace lokbackup
{

namespace
{

constexpr std::size_t read_size = 1 << 20;
// pg_dump writes 4 KiB at a time, more slowly than this loop consumes them: reading as soon as
// anything was there woke the backup child for nearly every write (100,000 reads of a 488 MB
// dump). After a short read, a millisecond's pause lets the pipe (1 MiB, some 5 ms of pg_dump's
// output) fill up: 0.35 CPU-s less for the child and pg_dump at that size, 13%.
constexpr std::size_t short_read = 64 * 1024;
constexpr timespec refill_pause{0, 1000 * 1000};
constexpr std::chrono::seconds progress_interval{1};

// A libpq connection string naming only `database`: pg_dumpall parses its -l argument as a
// connection string whenever it looks like one, so a bare name could smuggle in other settings.
std::string conninfo_for_database(const std::string &database)
{
    std::string quoted = "dbname='";
    for (char c : database) {
        if (c == '\'' || c == '\\')
            quoted += '\\';
        quoted += c;
    }
    return quoted + "'";
}

// The commands that produce the dump, each reading the previous one's output, and what the pipeline
// itself writes before and after their output.
struct DumpPlan {
    std::vector<ProcessSpec> commands;
    std::string opening;
    std::string closing;
    // pg_dump writes the object's codec itself (zstd, PostgreSQL 16 and later).
    bool compressed_by_dump = false;
};

// The connection travels only through the environment: a database name in pg_dump's argv would be
// parsed as a connection string.
DumpPlan dump_plan(const BackupRequest &request, const std::optional<DumpSnapshot> &snapshot)
{
    ProcessSpec dump;
    dump.pipe_stdout = true;
    dump.environment = {{"PGHOST", request.socket_dir},
                        {"PGPORT", std::to_string(request.port)},
                        {"PGUSER", request.user},
                        {"PGAPPNAME", backup_application_name(request.backup.id)}};
    if (request.backup.is_roles()) {
        dump.argv = {request.pg_bin_dir + "/pg_dumpall", "--globals-only", "-w", "-l",
                     conninfo_for_database(request.connect_database)};
        return {{dump}, "", ""};
    }
    if (request.backup.is_base_backup()) {
        // One tar of the cluster on stdout, with PostgreSQL's backup_manifest put into it; no WAL
        // (-X none): the archive holds it, and the server waits until the backup's last segment
        // is archived. Its WAL range is read from the tar (base_backup_tar.hpp).
        dump.argv = {request.pg_bin_dir + "/pg_basebackup",
                     "-D",
                     "-",
                     "-Ft",
                     "-X",
                     "none",
                     "--checkpoint=fast",
                     "-v",
                     "-w",
                     "--label=lokbackup base backup " + std::to_string(request.backup.id)};
        return {{dump}, "", ""};
    }
    dump.environment.emplace_back("PGDATABASE", request.backup.database);
    dump.argv = {request.pg_bin_dir + "/pg_dump", "-w"};
    std::vector<std::string> from_snapshot;
    if (snapshot)
        from_snapshot.push_back("--snapshot=" + snapshot->id);

    // Without --clean: a restore replays into a database that it has just created from template0
    // with the properties of the manifest, as a DBA does with createdb and psql; the DROP ... IF
    // EXISTS of --clean cannot run in every order (ALTER DOMAIN has no IF EXISTS).
    //
    // The plain script runs in one transaction that ends with its last line, so that a replay that
    // stops early, for whatever reason, commits nothing. pg_dump -Fp writes it, and the pipeline
    // opens the transaction before it and commits after it; but only when the snapshot shows no
    // large object, as pg_dump -Fp puts each of those in a BEGIN/COMMIT pair of its own.
    //
    // pg_dump 16 and later compresses with zstd itself: 0.38 of the CPU and 0.62 of the time of the
    // same script piped through zstd (bench/pg_dump_compression, pgbench scale 20, 18.6).
    if (request.backup.format == DumpFormat::plain && snapshot && !snapshot->large_objects) {
        dump.argv.push_back("-Fp");
        dump.argv.insert(dump.argv.end(), from_snapshot.begin(), from_snapshot.end());
        bool by_dump = request.backup.compression == Compression::zstd &&
                       server_major_version(request.backup.server_version) >= 16;
        if (by_dump)
            dump.argv.push_back("--compress=zstd:" +
                                std::to_string(effective_level(request.backup.compression,
                                                               request.backup.compression_level)));
        return {{dump}, "BEGIN;\n", "COMMIT;\n", by_dump};
    }

    // Compressed by us, like every format, so that one codec and one checksum cover all.
    dump.argv.insert(dump.argv.end(), {"-Fc", "-Z0"});
    dump.argv.insert(dump.argv.end(), from_snapshot.begin(), from_snapshot.end());
    if (request.backup.format == DumpFormat::custom)
        return {{dump}, "", ""};

    // Otherwise the plain script is rendered from the custom format by pg_restore
    // --single-transaction, which leaves out the large objects' own BEGIN/COMMIT pairs. It costs
    // about as much CPU again as pg_dump -Fp, hence the direct way above whenever it is safe.
    ProcessSpec render;
    render.pipe_stdout = true;
    render.argv = {request.pg_bin_dir + "/pg_restore", "--single-transaction", "-f", "-"};
    return {{dump, render}, "", ""};
}

// Killed by SIGPIPE, or a shell's report of it: a later stage stopped reading.
bool broken_pipe(const ExitStatus &status)
{
    return status.signal == SIGPIPE || status.code == 128 + SIGPIPE;
}

// The failure to report from a chain of stages: the first that failed other than by a broken
// pipe (which only says that a later stage stopped reading), else the first that failed.
const SupervisedProcess *
first_failure(const std::vector<std::unique_ptr<SupervisedProcess>> &stages)
{
    const SupervisedProcess *failed = nullptr;
    for (const auto &stage : stages) {
        ExitStatus status = stage->status();
        if (status.success())
            continue;
        if (!broken_pipe(status))
            return stage.get();
        if (failed == nullptr)
            failed = stage.get();
    }
    return failed;
}

std::string utc_now()
{
    std::time_t now = std::time(nullptr);
    std::tm fields{};
    gmtime_r(&now, &fields);
    char text[32];
    return std::string(text, std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &fields));
}

// Readers refuse a manifest over 1 MiB (small_object.cpp): the inventory of a schema of thousands
// of tables stays in the catalog alone, where drills read it.
constexpr std::size_t manifest_inventory_limit = 256 * 1024;

BackupDescription manifest_for(const BackupRequest &request, const BackupResult &result)
{
    BackupDescription backup = request.backup;
    // When the dump was complete: the manifest is sent along with the object's last bytes.
    backup.finished_at = utc_now();
    backup.sha256 = result.sha256;
    backup.size = result.size;
    backup.raw_size = result.raw_size;
    backup.database_properties = result.database_properties;
    backup.wal_range = result.wal_range;
    if (result.inventory &&
        dump_inventory_to_json(*result.inventory).dump().size() <= manifest_inventory_limit)
        backup.inventory = result.inventory;
    return backup;
}

std::size_t read_some(int fd, char *buffer, std::size_t capacity)
{
    for (;;) {
        ssize_t got = read(fd, buffer, capacity);
        if (got >= 0)
            return static_cast<std::size_t>(got);
        if (errno != EINTR)
            throw_system_error("could not read the output of pg_dump");
    }
}

// Runs `call` into storage, telling `tracker` that the backup waits for storage meanwhile.
template <typename Call> void waiting_for_storage(ProgressTracker &tracker, Call call)
{
    tracker.waiting_for_storage();
    try {
        call();
    } catch (...) {
        tracker.storage_answered();
        throw;
    }
    tracker.storage_answered();
}

// Passes the bytes on to `out` (waiting for storage while it blocks) but leaves out's finish() to
// the caller.
class UnfinishedSink : public Sink
{
  public:
    UnfinishedSink(Sink &out, ProgressTracker &tracker) : out_(out), tracker_(tracker) {}
    void write(const char *data, std::size_t size) override
    {
        waiting_for_storage(tracker_, [&] { out_.write(data, size); });
    }
    void finish() override {}

  private:
    Sink &out_;
    ProgressTracker &tracker_;
};

// Counts the bytes it is given, and passes them on to `next` when there is one (its finish() is
// left to the caller), else drops them.
class ByteCounter : public Sink
{
  public:
    ByteCounter(std::uint64_t &count, Sink *next) : count_(count), next_(next) {}
    void write(const char *data, std::size_t size) override
    {
        count_ += size;
        if (next_ != nullptr)
            next_->write(data, size);
    }
    void finish() override {}

  private:
    std::uint64_t &count_;
    Sink *next_;
};

// The object's codec over the dump: the opening and closing statements, and pg_dump's output in
// between. When pg_dump compressed its output with that codec itself, its stream is stored as it
// comes and the statements as frames of their own around it (a decompressor reads concatenated
// frames as one stream); decompressed alongside, it is counted and checked. `script`, when there
// is one, is given pg_dump's output uncompressed (without the statements) and finished with it.
class ObjectEncoder
{
  public:
    ObjectEncoder(const BackupRequest &request, bool compressed_by_dump, Sink &out, Sink *script)
        : request_(request), out_(out), script_(script), counted_(dumped_, script)
    {
        if (compressed_by_dump)
            check_ = make_decompressor(request.backup.compression, counted_);
        else
            compressor_ =
                make_compressor(request.backup.compression, request.backup.compression_level, out);
    }
    void text(const std::string &text)
    {
        raw_size_ += text.size();
        if (compressor_)
            return compressor_->write(text.data(), text.size());
        UnfinishingSink frame_output(out_);
        auto frame = make_compressor(request_.backup.compression, request_.backup.compression_level,
                                     frame_output);
        frame->write(text.data(), text.size());
        frame->finish();
    }
    void dump(const char *data, std::size_t size)
    {
        if (compressor_) {
            raw_size_ += size;
            if (script_ != nullptr)
                script_->write(data, size);
            return compressor_->write(data, size);
        }
        out_.write(data, size);
        check_->write(data, size);
    }
    void finish()
    {
        if (compressor_) {
            compressor_->finish();
        } else {
            check_->finish();
            out_.finish();
        }
        if (script_ != nullptr)
            script_->finish();
    }
    // What pg_dump produced, uncompressed, and the statements.
    std::uint64_t raw_size() const { return raw_size_ + dumped_; }

  private:
    const BackupRequest &request_;
    Sink &out_;
    Sink *script_;
    std::unique_ptr<Sink> compressor_;
    std::uint64_t raw_size_ = 0;
    std::uint64_t dumped_ = 0; // decompressed from pg_dump's own stream
    ByteCounter counted_;
    std::unique_ptr<Sink> check_;
};

// The age encryption of the compressed object, when the backup is encrypted: checked against
// the description before pg_dump starts, so that the catalog and the manifest name the keys
// that were used.
std::unique_ptr<Sink> object_encryptor(const BackupRequest &request, Sink &out)
{
    // The worker describes the backup when its run begins and hands over the settings when it
    // starts: they differ only when lokbackup.encrypt_to or encrypt_passphrase_file changed
    // in between.
    if (encryption_fingerprints(request.encryption) != request.backup.encrypted_to)
        throw Error("the encryption settings changed after this backup's run began: its catalog "
                    "row says encrypted to [" +
                    joined(request.backup.encrypted_to) +
                    "], lokbackup.encrypt_to and "
                    "lokbackup.encrypt_passphrase_file now to [" +
                    joined(encryption_fingerprints(request.encryption)) +
                    "]; the next run uses the new settings");
    if (!request.backup.is_encrypted())
        return nullptr;
    return make_age_encryptor(encryption_keys(request.encryption), out);
}

// Streams the dump into `writer`, all but its finish(): the size and checksum are known before
// the object's last bytes are sent, so that the manifest can go along with them. A plain script
// streams through `script` too, when there is one.
BackupResult store_dump(const BackupRequest &request, const DumpPlan &plan, ObjectWriter &writer,
                        ProgressTracker &progress, Sink *script)
{
    UnfinishedSink unfinished(writer, progress);
    HashingSink hashed(unfinished);
    std::unique_ptr<Sink> encryptor = object_encryptor(request, hashed);
    ObjectEncoder encoder(request, plan.compressed_by_dump, encryptor ? *encryptor : hashed,
                          script);
    std::vector<std::unique_ptr<SupervisedProcess>> stages;
    for (ProcessSpec spec : plan.commands) {
        if (!stages.empty())
            spec.stdin_from = stages.back()->process().stdout_fd();
        stages.push_back(std::make_unique<SupervisedProcess>(spec));
        if (stages.size() > 1)
            close(stages[stages.size() - 2]->process().take_stdout());
    }
    int output = stages.back()->process().stdout_fd();

    std::vector<char> buffer(read_size);
    BackupResult result;
    encoder.text(plan.opening);
    while (std::size_t got = read_some(output, buffer.data(), buffer.size())) {
        encoder.dump(buffer.data(), got);
        progress.dumped(encoder.raw_size(), hashed.bytes());
        if (got < short_read)
            nanosleep(&refill_pause, nullptr);
    }

    for (auto &stage : stages)
        stage->wait();
    if (const SupervisedProcess *failed = first_failure(stages)) {
        writer.abort();
        throw Error(failed->failure_message());
    }
    encoder.text(plan.closing);
    encoder.finish();
    result.raw_size = encoder.raw_size();
    result.size = hashed.bytes();
    result.sha256 = hashed.hex_digest();
    progress.dumped(result.raw_size, result.size);
    return result;
}

// The schema inventory of the snapshot, with what the scanner counted when it read the whole
// script as pg_dump writes it (rows_counted stays false otherwise: a custom-format dump, or a
// script it could not follow, whose counts a drill must not trust). None when a name is not
// UTF-8 (a database in another encoding), which JSON cannot carry: the backup goes on without.
std::optional<DumpInventory> dump_inventory(DumpInventory schema,
                                            const std::optional<DumpScriptScanner> &scanner)
{
    if (scanner && scanner->complete()) {
        schema.rows_counted = true;
        schema.table_rows = scanner->table_rows();
        schema.sequence_values = scanner->sequence_values();
    }
    try {
        json_text("inventory", dump_inventory_to_json(schema));
    } catch (const Error &) {
        return std::nullopt;
    }
    return schema;
}

void store_manifest(Storage &storage, const BackupDescription &backup)
{
    std::string json = manifest_to_json(backup);
    auto writer = storage.create(manifest_key(backup.object_key));
    writer->write(json.data(), json.size());
    writer->finish();
}

// Removes whatever of the backup was stored, or partly stored, in `storage`.
void remove_stored(Storage &storage, const std::string &object_key)
{
    try {
        remove_backup_objects(storage, object_key);
    } catch (const Error &) {
        // The worker removes them again when it records the failure, and retries until it can.
    }
}

// The backup's second destination while the backup is written there too. Its storage
// acknowledges nothing: the progress counts the primary's bytes alone, which the copy's keep up
// with, as every write goes to both. Its notices go to the log, named, not to the progress.
struct CopyDestination {
    CopyDestination(const StorageCopyRequest &copy, const StorageLog &storage_log,
                    const std::string &object_key)
        : guard("copy to " + copy.storage, copy.required)
    {
        config = StorageConfig{copy.storage, copy.s3,
                               [storage_log, name = copy.storage](const std::string &message) {
                                   if (storage_log)
                                       storage_log("copy to " + name + ": " + message);
                               }};
        guard.run([&] {
            storage = open_storage(config);
            writer = storage->create(object_key);
        });
    }
    StorageConfig config;
    CopyGuard guard;
    std::unique_ptr<Storage> storage; // null when it could not be opened
    std::unique_ptr<ObjectWriter> writer;
};

} // namespace

BackupResult run_backup(const BackupRequest &request, const ProgressCallback &progress,
                        const StorageLog &storage_log, const std::optional<DumpSnapshot> &snapshot)
{
    ProgressTracker tracker;
    std::optional<ProgressReporter> reporter;
    if (progress)
        reporter.emplace(tracker, progress, progress_interval);
    StorageLog log = [&tracker, &storage_log](const std::string &message) {
        tracker.storage_problem(message);
        if (storage_log)
            storage_log(message);
    };
    // The manifest's bytes are not the object's: its storage acknowledges nothing.
    StorageConfig config{request.storage, request.s3, log};
    StorageConfig object_config = config;
    object_config.acknowledged = [&tracker](std::uint64_t bytes) { tracker.acknowledged(bytes); };
    const std::string &object_key = request.backup.object_key;
    auto storage = open_storage(object_config);
    auto writer = storage->create(object_key);
    std::optional<CopyDestination> copy;
    if (request.copy)
        copy.emplace(*request.copy, storage_log, object_key);
    std::optional<CopyingWriter> both;
    if (copy && copy->writer)
        both.emplace(*writer, *copy->writer, copy->guard);
    ObjectWriter &object = both ? static_cast<ObjectWriter &>(*both) : *writer;
    // What a plain script holds is counted as it streams by (every way to a plain script ends
    // in the same stream: pg_dump -Fp's, decompressed when pg_dump compressed it, or pg_restore's).
    std::optional<DumpScriptScanner> scanner;
    bool inventory = snapshot && snapshot->read_schema_inventory;
    if (inventory && request.backup.format == DumpFormat::plain)
        scanner.emplace();
    // A base backup's tar passes by the scanner that reads its WAL range.
    std::optional<BaseBackupTarScanner> tar;
    if (request.backup.is_base_backup())
        tar.emplace();
    Sink *raw = scanner ? static_cast<Sink *>(&*scanner) : tar ? &*tar : nullptr;
    BackupResult result = store_dump(request, dump_plan(request, snapshot), object, tracker, raw);
    if (tar)
        result.wal_range = tar->wal_range(request.wal_segment_size);
    if (snapshot && snapshot->read_database_properties)
        result.database_properties = snapshot->read_database_properties();
    if (inventory)
        result.inventory = dump_inventory(snapshot->read_schema_inventory(), scanner);
    // The manifest is sent while the object's last bytes are (after them, it cost every backup one
    // more request's round trip), on a storage of its own: an S3Client serves one thread at a time.
    // Until both are stored the backup is not completed. The copy gets the same manifest.
    BackupDescription manifest_description = manifest_for(request, result);
    auto manifest = std::async(std::launch::async, [&] {
        store_manifest(*open_storage(config), manifest_description);
        if (copy)
            copy->guard.run(
                [&] { store_manifest(*open_storage(copy->config), manifest_description); });
    });
    try {
        waiting_for_storage(tracker, [&] {
            object.finish();
            manifest.get();
        });
    } catch (...) {
        // Neither is left without the other: an object without its manifest could never be found
        // from storage alone, a manifest without its object would name a backup that is not there.
        // Whatever of the two was stored, or partly stored, goes, from both destinations; the
        // error reported is the first.
        if (manifest.valid())
            manifest.wait();
        remove_stored(*storage, object_key);
        if (copy && copy->storage)
            remove_stored(*copy->storage, object_key);
        throw;
    }
    if (copy) {
        // An optional copy that failed leaves nothing in its destination either.
        if (copy->guard.failed() && copy->storage)
            remove_stored(*copy->storage, object_key);
        result.copy = CopyOutcome{!copy->guard.failed(), copy->guard.error()};
    }
    return result;
}

} // namespace lokbackup
