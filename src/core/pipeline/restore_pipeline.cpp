#include "core/pipeline/restore_pipeline.hpp"

#include "core/base/error.hpp"
#include "core/crypto/age_decryptor.hpp"
#include "core/pipeline/object_decoder.hpp"
#include "core/pipeline/restricted_script.hpp"
#include "core/pipeline/sha256.hpp"
#include "core/base/supervised_process.hpp"

#include <csignal>
#include <ctime>
#include <exception>
#include <optional>
#include <pthread.h>
#include <vector>

namespace lokbackup
{

namespace
{

constexpr std::size_t read_size = 1 << 20;

const std::string nothing_restored = "; nothing was restored";

// What reading a whole object found.
struct Scan {
    std::uint64_t size = 0;
    std::string sha256;
    // The first failure of the decoder or what it feeds.
    std::exception_ptr downstream_failure;
};

std::string larger_than_recorded(const ExpectedObject &expected)
{
    return "size mismatch: the object is larger than the " + std::to_string(expected.size) +
           " bytes of the backup's record";
}

std::string size_mismatch(std::uint64_t size, const ExpectedObject &expected)
{
    return "size mismatch: the object has " + std::to_string(size) +
           " bytes, the backup's record says " + std::to_string(expected.size);
}

// Empty unless the storage tells the object's size and it is not the recorded one: checked before
// any of its bytes is used.
std::string told_size_mismatch(const ObjectReader &object, const ExpectedObject &expected)
{
    std::optional<std::uint64_t> told = object.size();
    return told && *told != expected.size ? size_mismatch(*told, expected) : "";
}

// Hashes every stored byte and feeds it to `decoder` until that fails. The rest is still hashed,
// so that a damaged object is reported as a checksum mismatch rather than as whatever symptom the
// damage caused downstream. No byte past the recorded size goes downstream.
Scan scan(ObjectReader &object, const ExpectedObject &expected, Sink &decoder,
          const RestoreProgress &progress)
{
    Scan result;
    Sha256 hash;
    std::vector<char> buffer(read_size);
    while (std::size_t got = object.read(buffer.data(), buffer.size())) {
        if (got > expected.size - result.size)
            throw BackupDamaged(larger_than_recorded(expected));
        hash.update(buffer.data(), got);
        result.size += got;
        if (!result.downstream_failure) {
            try {
                decoder.write(buffer.data(), got);
            } catch (const Error &) {
                result.downstream_failure = std::current_exception();
            }
        }
        if (progress)
            progress(result.size);
    }
    result.sha256 = hash.hex_digest();
    return result;
}

// Empty when the object is the one that was backed up.
std::string mismatch(const Scan &scan, const ExpectedObject &expected)
{
    if (scan.size != expected.size)
        return size_mismatch(scan.size, expected);
    if (scan.sha256 != expected.sha256)
        return "checksum mismatch: the object's SHA-256 is " + scan.sha256 +
               ", the backup's record says " + expected.sha256;
    return "";
}

std::string corrupt(const std::string &codec_message)
{
    return "the backup object is corrupt: " + codec_message;
}

// Throws what failed downstream of an object whose checksum matched: keys that do not open it as
// they are, anything else as the corruption that it is. `suffix` ends the message.
void throw_downstream(const std::exception_ptr &failure, const std::string &suffix)
{
    try {
        std::rethrow_exception(failure);
    } catch (const AgeKeyRefused &refused) {
        throw AgeKeyRefused(refused.what() + suffix);
    } catch (const Error &error) {
        throw BackupDamaged(corrupt(error.what()) + suffix);
    }
}

class NullSink : public Sink
{
  public:
    void write(const char *, std::size_t) override {}
    void finish() override {}
};

// Feeds the replay's stdin but always holds back the most recent chunk, so that the replay cannot
// reach the end of its input, and so cannot commit, before finish(). run_restore() lets the
// decompressor call finish() only once the object is verified.
class WithholdingInput : public Sink
{
  public:
    explicit WithholdingInput(Process &replay) : replay_(replay) {}

    void write(const char *data, std::size_t size) override
    {
        send_held();
        held_.assign(data, size);
    }

    void finish() override
    {
        send_held();
        replay_.close_stdin();
    }

    // The replay stopped reading (it exited): its own status says why.
    bool replay_closed_input() const { return closed_; }

  private:
    void send_held()
    {
        if (held_.empty())
            return;
        try {
            write_all(replay_.stdin_fd(), held_.data(), held_.size());
        } catch (const Error &) {
            // EPIPE, realistically: the replay exited, and its status and stderr say why.
            closed_ = true;
            throw;
        }
        held_.clear();
    }

    Process &replay_;
    std::string held_;
    bool closed_ = false;
};

// Blocks SIGPIPE on this thread while the replay is fed, so that a replay that exits early turns
// writes into EPIPE instead of killing the cli; a SIGPIPE raised meanwhile is consumed, not left
// pending for after the mask is restored.
class SigpipeBlocked
{
  public:
    SigpipeBlocked()
    {
        sigset_t sigpipe = only_sigpipe();
        pthread_sigmask(SIG_BLOCK, &sigpipe, &previous_);
    }
    ~SigpipeBlocked()
    {
        sigset_t sigpipe = only_sigpipe();
        timespec no_wait{0, 0};
        while (sigtimedwait(&sigpipe, nullptr, &no_wait) == SIGPIPE) {
        }
        pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    }
    SigpipeBlocked(const SigpipeBlocked &) = delete;
    SigpipeBlocked &operator=(const SigpipeBlocked &) = delete;

  private:
    static sigset_t only_sigpipe()
    {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        return set;
    }
    sigset_t previous_;
};

} // namespace

void run_restore(ObjectReader &object, const ExpectedObject &expected, const Replay &replay,
                 const RestoreProgress &progress)
{
    std::string told = told_size_mismatch(object, expected);
    if (!told.empty())
        throw BackupDamaged(told + nothing_restored);
    ProcessSpec spec = replay.process;
    spec.pipe_stdin = true;
    SigpipeBlocked sigpipe_blocked;
    // Until wait() returns, destroying the replay (an exception) kills it before its stdin closes.
    SupervisedProcess replay_process(spec);
    WithholdingInput withheld(replay_process.process());
    std::optional<RestrictedScript> restricted;
    if (replay.psql_script)
        restricted.emplace(withheld, random_restrict_key());
    Sink &input = restricted ? static_cast<Sink &>(*restricted) : withheld;
    ObjectDecoder decoder(expected.compression, expected.encrypted, expected.keys, input);
    auto replay_failed = [&]() {
        replay_process.wait();
        return Error(replay_process.failure_message() + nothing_restored);
    };

    Scan found;
    try {
        found = scan(object, expected, decoder.input(), progress);
    } catch (const Error &error) {
        throw_like(error, error.what() + nothing_restored);
    }
    std::string problem = mismatch(found, expected);
    if (!problem.empty())
        throw BackupDamaged(problem + nothing_restored);
    if (withheld.replay_closed_input())
        throw replay_failed();
    if (found.downstream_failure)
        throw_downstream(found.downstream_failure, nothing_restored);

    try {
        decoder.input().finish(); // releases the withheld bytes and the end of input
    } catch (const Error &error) {
        if (withheld.replay_closed_input())
            throw replay_failed();
        throw BackupDamaged(corrupt(error.what()) + nothing_restored);
    }
    if (!replay_process.wait().success())
        throw replay_failed();
}

void verify_object(ObjectReader &object, const ExpectedObject &expected,
                   const RestoreProgress &progress)
{
    std::string told = told_size_mismatch(object, expected);
    if (!told.empty())
        throw BackupDamaged(told);
    NullSink discard;
    // Without keys, an encrypted object's checksum is all there is to check.
    std::optional<ObjectDecoder> decoder;
    if (!expected.encrypted || expected.keys != nullptr)
        decoder.emplace(expected.compression, expected.encrypted, expected.keys, discard);
    Scan found = scan(object, expected, decoder ? decoder->input() : discard, progress);
    std::string problem = mismatch(found, expected);
    if (!problem.empty())
        throw BackupDamaged(problem);
    if (found.downstream_failure)
        throw_downstream(found.downstream_failure, "");
    try {
        if (decoder)
            decoder->input().finish();
    } catch (const Error &error) {
        throw BackupDamaged(corrupt(error.what()));
    }
}

} // namespace lokbackup
