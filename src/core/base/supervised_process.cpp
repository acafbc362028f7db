#include "core/base/supervised_process.hpp"

#include "core/base/error.hpp"

#include <cerrno>
#include <csignal>
#include <unistd.h>

namespace lokbackup
{

namespace
{

// Enough for the few lines in which pg_dump, psql or pg_restore explain a failure.
constexpr std::size_t tail_capacity = 4096;

// The last `capacity` bytes of `text`, without the partial line they may start with.
std::string whole_lines_of_last(const std::string &text, std::size_t capacity)
{
    if (text.size() <= capacity)
        return text;
    std::string tail = text.substr(text.size() - capacity);
    std::size_t newline = tail.find('\n');
    return newline == std::string::npos ? tail : tail.substr(newline + 1);
}

void drain(int fd, std::string &tail)
{
    char buffer[4096];
    for (;;) {
        ssize_t got = read(fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return;
        tail.append(buffer, static_cast<std::size_t>(got));
        if (tail.size() > 2 * tail_capacity)
            tail = whole_lines_of_last(tail, tail_capacity);
    }
}

// The last lines of `tail`, without surrounding space.
std::string last_lines(std::string tail)
{
    tail = whole_lines_of_last(tail, tail_capacity);
    const char *space = " \t\r\n";
    std::size_t first = tail.find_first_not_of(space);
    if (first == std::string::npos)
        return "";
    return tail.substr(first, tail.find_last_not_of(space) + 1 - first);
}

ProcessSpec supervised(ProcessSpec spec)
{
    spec.pipe_stderr = true;
    spec.own_process_group = true;
    spec.die_with_parent = true;
    return spec;
}

} // namespace

SupervisedProcess::SupervisedProcess(ProcessSpec spec)
    : name_(spec.argv.empty() ? "" : spec.argv[0].substr(spec.argv[0].rfind('/') + 1)),
      process_(Process::spawn(supervised(std::move(spec))))
{
    drain_ = std::thread(drain, process_.stderr_fd(), std::ref(tail_));
}

SupervisedProcess::~SupervisedProcess()
{
    if (status_)
        return;
    try {
        kill();
    } catch (const Error &) {
        // Only waitpid() can fail here, when somebody else reaped the child: nothing is left to
        // kill, and a destructor must not throw.
    }
    if (drain_.joinable())
        drain_.join();
}

ExitStatus SupervisedProcess::wait()
{
    ExitStatus status = process_.wait();
    if (drain_.joinable())
        drain_.join();
    status_ = status;
    return status;
}

ExitStatus SupervisedProcess::kill()
{
    process_.kill_group(SIGKILL);
    return wait();
}

std::string SupervisedProcess::failure_message() const
{
    std::string message = name_ + " failed";
    if (status_)
        message += " (" + status_->describe() + ")";
    std::string said = last_lines(tail_);
    if (!said.empty())
        message += ": " + said;
    return message;
}

} // namespace lokbackup
