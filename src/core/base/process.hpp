// Child processes with pipes: pg_dump and psql for the cli, the backup child for the worker.
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace lokbackup
{

struct ExitStatus {
    int code = -1;  // exit code, or -1 when killed by a signal
    int signal = 0; // the signal that ended the process, or 0
    bool success() const { return code == 0; }
    // "exited with code 2", "was terminated by signal 9 (Killed)"
    std::string describe() const;
};

struct ProcessSpec {
    std::vector<std::string> argv; // argv[0] is the program's path
    // Variables set (or replaced) in the child's environment; the rest is inherited.
    std::vector<std::pair<std::string, std::string>> environment;
    bool pipe_stdin = false; // otherwise inherited, or stdin_from
    // A descriptor the child reads as its stdin, such as another child's stdout: how two children
    // are chained into a pipeline. The caller keeps it, and closes it once the child is started.
    int stdin_from = -1;
    bool pipe_stdout = false;
    bool pipe_stderr = false;
    // Puts the child in a process group of its own, so that kill_group() reaches its children.
    bool own_process_group = false;
    // SIGKILLs the child when the thread that spawned it ends (so when the cli dies): a replay
    // must never outlive the cli and see an early end of input that it would take for success.
    bool die_with_parent = false;
};

// A running child. Pipe ends are close-on-exec in the parent. The destructor closes the pipes but
// neither kills nor waits: call wait() or kill_group() first.
class Process
{
  public:
    // Throws Error when the program cannot be started (the message names it).
    static Process spawn(const ProcessSpec &spec);

    Process(Process &&other) noexcept;
    Process &operator=(Process &&other) noexcept;
    Process(const Process &) = delete;
    Process &operator=(const Process &) = delete;
    ~Process();

    pid_t pid() const { return pid_; }
    int stdin_fd() const { return stdin_fd_; }
    int stdout_fd() const { return stdout_fd_; }
    int stderr_fd() const { return stderr_fd_; }
    void close_stdin();
    // Hands the read end of the child's stdout over to the caller (to chain it into another child).
    int take_stdout() { return std::exchange(stdout_fd_, -1); }
    // Hands the read end of the child's stderr over to the caller, who then closes it.
    int take_stderr() { return std::exchange(stderr_fd_, -1); }

    // Blocks until the child exits (retrying on EINTR).
    ExitStatus wait();
    // Returns the status if the child has exited, without blocking.
    std::optional<ExitStatus> try_wait();
    // Sends `signal` to the child's process group (or to the child alone without one).
    void kill_group(int signal) noexcept;

  private:
    Process() = default;
    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    int stdout_fd_ = -1;
    int stderr_fd_ = -1;
    bool own_group_ = false;
    std::optional<ExitStatus> status_;
};

// Writes all of `data` to `fd`, retrying on EINTR and short writes; throws Error on failure,
// naming `destination` (a file's path; by default the pipe to a process).
void write_all(int fd, const char *data, std::size_t size,
               const std::string &destination = "a pipe");

} // namespace lokbackup
