#include "core/base/process.hpp"

#include "core/base/error.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <linux/close_range.h>
#include <string_view>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

namespace lokbackup
{

namespace
{

void close_fd(int &fd) noexcept
{
    if (fd >= 0)
        close(fd);
    fd = -1;
}

constexpr int data_pipe_size = 1 << 20;

// Both ends close-on-exec and above 2, so that the child's dup2 onto 0, 1 and 2 can never
// overwrite another pipe end (which happens when the parent itself runs with a standard stream
// closed).
struct Pipe {
    int read = -1;
    int write = -1;

    Pipe()
    {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0)
            throw_system_error("could not create a pipe");
        read = above_standard_streams(fds[0]);
        write = above_standard_streams(fds[1]);
    }
    ~Pipe()
    {
        close_fd(read);
        close_fd(write);
    }
    Pipe(const Pipe &) = delete;
    Pipe &operator=(const Pipe &) = delete;

    // For a pipe that carries a stream of data: room for a mebibyte in flight rather than the
    // default 64 KiB. pg_dump writes 4 KiB at a time; with the small pipe the reader wakes for a
    // few of those writes each time, and both sides switch in and out far more often. Only a
    // hint: the kernel may refuse (fs.pipe-max-size, or a user's pipe-user-pages-soft), and the
    // pipe then works as before.
    void enlarge() { fcntl(write, F_SETPIPE_SZ, data_pipe_size); }

    int take_read() { return std::exchange(read, -1); }
    int take_write() { return std::exchange(write, -1); }

  private:
    static int above_standard_streams(int fd)
    {
        if (fd > 2)
            return fd;
        int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        int saved_errno = errno;
        close(fd);
        errno = saved_errno;
        if (moved < 0)
            throw_system_error("could not duplicate a pipe end");
        return moved;
    }
};

std::vector<std::string> child_environment(const ProcessSpec &spec)
{
    std::vector<std::string> environment;
    for (char **variable = environ; *variable != nullptr; ++variable) {
        std::string_view entry = *variable;
        std::string_view name = entry.substr(0, entry.find('='));
        bool overridden = false;
        for (const auto &override : spec.environment)
            overridden = overridden || override.first == name;
        if (!overridden)
            environment.emplace_back(entry);
    }
    for (const auto &[name, value] : spec.environment)
        environment.push_back(name + "=" + value);
    return environment;
}

std::vector<char *> null_terminated(std::vector<std::string> &strings)
{
    std::vector<char *> pointers;
    for (auto &string : strings)
        pointers.push_back(string.data());
    pointers.push_back(nullptr);
    return pointers;
}

// Built before fork(): between fork() and exec the child of a multi-threaded parent may only
// make async-signal-safe calls, so it must not allocate.
struct ExecArguments {
    std::vector<std::string> arguments;
    std::vector<std::string> environment;
    std::vector<char *> argv = null_terminated(arguments);
    std::vector<char *> envp = null_terminated(environment);

    explicit ExecArguments(const ProcessSpec &spec)
        : arguments(spec.argv), environment(child_environment(spec))
    {
    }
    ExecArguments(const ExecArguments &) = delete;
    ExecArguments &operator=(const ExecArguments &) = delete;
};

// Runs in the child between fork() and exec. Reports the errno of the first failure through
// `status_fd` (close-on-exec, so the parent reads end-of-file when exec succeeds).
[[noreturn]] void exec_child(const ProcessSpec &spec, const ExecArguments &arguments, pid_t parent,
                             int stdin_fd, int stdout_fd, int stderr_fd, int status_fd)
{
    // A child starts afresh: PostgreSQL backends ignore SIGPIPE and others, and the spawning
    // thread may block signals; ignored dispositions and the mask would survive exec.
    struct sigaction default_action = {};
    default_action.sa_handler = SIG_DFL;
    for (int signal = 1; signal < NSIG; ++signal)
        sigaction(signal, &default_action, nullptr);
    sigset_t empty;
    sigemptyset(&empty);
    bool ok = sigprocmask(SIG_SETMASK, &empty, nullptr) == 0;

    if (ok && spec.die_with_parent)
        ok = prctl(PR_SET_PDEATHSIG, SIGKILL) == 0;
    if (ok && spec.die_with_parent && getppid() != parent)
        _exit(127); // the parent died before the death signal was armed
    if (ok && spec.own_process_group)
        ok = setpgid(0, 0) == 0;
    if (ok && stdin_fd >= 0)
        ok = dup2(stdin_fd, STDIN_FILENO) >= 0;
    if (ok && stdout_fd >= 0)
        ok = dup2(stdout_fd, STDOUT_FILENO) >= 0;
    if (ok && stderr_fd >= 0)
        ok = dup2(stderr_fd, STDERR_FILENO) >= 0;
    // Nothing but the three standard streams crosses exec: a PostgreSQL backend holds data files,
    // WAL and its log open without close-on-exec, and a backup child must never hold them.
    if (ok)
        ok = close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0;
    if (ok)
        execve(arguments.argv[0], arguments.argv.data(), arguments.envp.data());

    int error = errno;
    ssize_t ignored = write(status_fd, &error, sizeof error);
    (void)ignored;
    _exit(127);
}

// Without WUNTRACED, waitpid() reports only processes that exited or were killed.
ExitStatus decode_status(int raw)
{
    ExitStatus status;
    if (WIFSIGNALED(raw))
        status.signal = WTERMSIG(raw);
    else
        status.code = WEXITSTATUS(raw);
    return status;
}

} // namespace

std::string ExitStatus::describe() const
{
    if (signal != 0)
        return "was terminated by signal " + std::to_string(signal) + " (" + strsignal(signal) +
               ")";
    return "exited with code " + std::to_string(code);
}

Process Process::spawn(const ProcessSpec &spec)
{
    if (spec.argv.empty())
        throw Error("could not start a process: no program was given");
    const std::string &program = spec.argv[0];
    ExecArguments arguments(spec);

    std::optional<Pipe> in, out, err;
    if (spec.pipe_stdin)
        in.emplace().enlarge();
    if (spec.pipe_stdout)
        out.emplace().enlarge();
    if (spec.pipe_stderr)
        err.emplace();
    Pipe status;

    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        throw_system_error("could not start \"" + program + "\"");
    if (pid == 0)
        exec_child(spec, arguments, parent, in ? in->read : spec.stdin_from, out ? out->write : -1,
                   err ? err->write : -1, status.write);

    close_fd(status.write);
    int exec_error = 0;
    ssize_t got;
    do
        got = read(status.read, &exec_error, sizeof exec_error);
    while (got < 0 && errno == EINTR);

    Process process;
    process.pid_ = pid;
    process.own_group_ = spec.own_process_group;
    if (got > 0) {
        process.wait();
        throw Error("could not start \"" + program + "\": " + std::strerror(exec_error));
    }
    if (in)
        process.stdin_fd_ = in->take_write();
    if (out)
        process.stdout_fd_ = out->take_read();
    if (err)
        process.stderr_fd_ = err->take_read();
    return process;
}

Process::Process(Process &&other) noexcept
{
    *this = std::move(other);
}

Process &Process::operator=(Process &&other) noexcept
{
    if (this != &other) {
        close_fd(stdin_fd_);
        close_fd(stdout_fd_);
        close_fd(stderr_fd_);
        pid_ = std::exchange(other.pid_, -1);
        stdin_fd_ = std::exchange(other.stdin_fd_, -1);
        stdout_fd_ = std::exchange(other.stdout_fd_, -1);
        stderr_fd_ = std::exchange(other.stderr_fd_, -1);
        own_group_ = other.own_group_;
        status_ = std::exchange(other.status_, std::nullopt);
    }
    return *this;
}

Process::~Process()
{
    close_fd(stdin_fd_);
    close_fd(stdout_fd_);
    close_fd(stderr_fd_);
}

void Process::close_stdin()
{
    close_fd(stdin_fd_);
}

ExitStatus Process::wait()
{
    while (!status_) {
        int raw = 0;
        if (waitpid(pid_, &raw, 0) < 0) {
            if (errno == EINTR)
                continue;
            throw_system_error("could not wait for process " + std::to_string(pid_));
        }
        status_ = decode_status(raw);
    }
    return *status_;
}

std::optional<ExitStatus> Process::try_wait()
{
    if (status_)
        return status_;
    int raw = 0;
    pid_t result;
    do
        result = waitpid(pid_, &raw, WNOHANG);
    while (result < 0 && errno == EINTR);
    if (result < 0)
        throw_system_error("could not wait for process " + std::to_string(pid_));
    if (result == pid_)
        status_ = decode_status(raw);
    return status_;
}

void Process::kill_group(int signal) noexcept
{
    // Once reaped, the pid may belong to somebody else.
    if (pid_ <= 0 || status_)
        return;
    ::kill(own_group_ ? -pid_ : pid_, signal);
}

void write_all(int fd, const char *data, std::size_t size, const std::string &destination)
{
    while (size > 0) {
        ssize_t written = ::write(fd, data, size);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            throw_system_error("could not write to " + destination);
        }
        data += written;
        size -= static_cast<std::size_t>(written);
    }
}

} // namespace lokbackup
