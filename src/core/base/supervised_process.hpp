// A child process as the pipelines run pg_dump and the replay: in a process group of its own,
// killed when the cli dies, its stderr drained on a thread into a short tail for error messages.
#pragma once

#include "core/base/process.hpp"

#include <optional>
#include <string>
#include <thread>

namespace lokbackup
{

class SupervisedProcess
{
  public:
    // Spawns `spec` with stderr piped, in its own process group, dying with its parent.
    explicit SupervisedProcess(ProcessSpec spec);
    // Unless wait() returned, kills the group and reaps it: an exception that unwinds past a
    // running replay must end it before its stdin closes.
    ~SupervisedProcess();
    SupervisedProcess(const SupervisedProcess &) = delete;
    SupervisedProcess &operator=(const SupervisedProcess &) = delete;

    Process &process() { return process_; }
    // Reaps the child and waits until its stderr is closed.
    ExitStatus wait();
    // SIGKILL to the whole group, then wait().
    ExitStatus kill();
    // How the child ended; after wait().
    ExitStatus status() const { return *status_; }
    // "pg_dump failed (exited with code 1): <the end of its stderr>"; after wait().
    std::string failure_message() const;

  private:
    std::string name_; // for messages: "pg_dump", not its path
    Process process_;
    std::optional<ExitStatus> status_;
    std::string tail_;
    std::thread drain_;
};

} // namespace lokbackup
