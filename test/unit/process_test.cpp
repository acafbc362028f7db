#include "core/base/process.hpp"
#include "core/base/supervised_process.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <poll.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace lokbackup
{
namespace
{

using test::error_message;

ProcessSpec shell(const std::string &script)
{
    ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", script};
    return spec;
}

// Everything until end of file; fails the test instead of hanging when nothing comes.
std::string read_to_end(int fd)
{
    std::string text;
    char buffer[4096];
    for (;;) {
        pollfd ready{fd, POLLIN, 0};
        if (poll(&ready, 1, 10000) != 1) {
            ADD_FAILURE() << "no end of file within 10 seconds";
            return text;
        }
        ssize_t got = read(fd, buffer, sizeof buffer);
        if (got <= 0)
            return text;
        text.append(buffer, static_cast<std::size_t>(got));
    }
}

// A process that is gone or a zombie: a container's pid 1 may never reap orphans.
bool is_dead(pid_t pid)
{
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string pid_field, command, state;
    return !(stat >> pid_field >> command >> state) || state == "Z";
}

TEST(ProcessTest, ReportsExitCode)
{
    Process process = Process::spawn(shell("exit 3"));
    ExitStatus status = process.wait();
    EXPECT_EQ(status.code, 3);
    EXPECT_EQ(status.signal, 0);
    EXPECT_FALSE(status.success());
    EXPECT_EQ(status.describe(), "exited with code 3");
    EXPECT_TRUE(Process::spawn(shell("exit 0")).wait().success());
}

TEST(ProcessTest, ReportsTerminatingSignal)
{
    ExitStatus status = Process::spawn(shell("kill -TERM $$")).wait();
    EXPECT_EQ(status.code, -1);
    EXPECT_EQ(status.signal, SIGTERM);
    EXPECT_EQ(status.describe(), "was terminated by signal 15 (Terminated)");
}

TEST(ProcessTest, ExecFailureNamesTheProgram)
{
    ProcessSpec spec;
    spec.argv = {"/nonexistent/pg_dump", "-w"};
    EXPECT_EQ(error_message([&] { Process::spawn(spec); }),
              "could not start \"/nonexistent/pg_dump\": No such file or directory");
    spec.argv = {"/dev/null"};
    EXPECT_EQ(error_message([&] { Process::spawn(spec); }),
              "could not start \"/dev/null\": Permission denied");
}

// cat with both stdin and stdout piped.
Process piped_cat()
{
    ProcessSpec spec;
    spec.argv = {"/bin/cat"};
    spec.pipe_stdin = true;
    spec.pipe_stdout = true;
    return Process::spawn(spec);
}

TEST(ProcessTest, PipesStdinToStdout)
{
    Process process = piped_cat();
    // More than both pipes hold: cat must drain its stdin while its stdout is read.
    std::string data = test::mixed_data(3000000);
    std::string echoed;
    std::thread reader([&] { echoed = read_to_end(process.stdout_fd()); });
    write_all(process.stdin_fd(), data.data(), data.size());
    process.close_stdin();
    reader.join();
    EXPECT_TRUE(process.wait().success());
    EXPECT_EQ(echoed, data);
}

TEST(ProcessTest, DataPipesHoldAMebibyte)
{
    Process process = piped_cat();
    EXPECT_EQ(fcntl(process.stdin_fd(), F_GETPIPE_SZ), 1 << 20);
    EXPECT_EQ(fcntl(process.stdout_fd(), F_GETPIPE_SZ), 1 << 20);
    process.close_stdin();
    process.wait();
}

TEST(ProcessTest, PipesStderr)
{
    ProcessSpec spec = shell("echo to-stderr >&2");
    spec.pipe_stderr = true;
    Process process = Process::spawn(spec);
    EXPECT_EQ(read_to_end(process.stderr_fd()), "to-stderr\n");
    process.wait();
}

TEST(ProcessTest, InheritsNoDescriptorButTheStandardStreams)
{
    // As a PostgreSQL backend holds its data files: open, without close-on-exec.
    int held = open("/dev/null", O_RDWR);
    ASSERT_GE(held, 3);
    ProcessSpec spec = shell("ls /proc/$$/fd");
    spec.pipe_stdout = true;
    Process process = Process::spawn(spec);
    std::string descriptors = read_to_end(process.stdout_fd());
    process.wait();
    close(held);
    EXPECT_EQ(descriptors, "0\n1\n2\n");
}

TEST(ProcessTest, OverridesAndInheritsEnvironment)
{
    setenv("LOKBACKUP_TEST_INHERITED", "kept", 1);
    setenv("LOKBACKUP_TEST_REPLACED", "old", 1);
    ProcessSpec spec = shell("printf '%s %s %s' \"$LOKBACKUP_TEST_INHERITED\" "
                             "\"$LOKBACKUP_TEST_REPLACED\" \"$LOKBACKUP_TEST_NEW\"");
    spec.environment = {{"LOKBACKUP_TEST_REPLACED", "new"}, {"LOKBACKUP_TEST_NEW", "a b=c"}};
    spec.pipe_stdout = true;
    Process process = Process::spawn(spec);
    EXPECT_EQ(read_to_end(process.stdout_fd()), "kept new a b=c");
    process.wait();
}

TEST(ProcessTest, StartsWithDefaultSignalDispositions)
{
    // Ignored signals survive exec; a backend ignores SIGPIPE, and its children must not.
    signal(SIGPIPE, SIG_IGN);
    ProcessSpec spec = shell("kill -PIPE $$");
    ExitStatus status = Process::spawn(spec).wait();
    signal(SIGPIPE, SIG_DFL);
    EXPECT_EQ(status.signal, SIGPIPE);
}

TEST(ProcessTest, TryWaitDoesNotBlock)
{
    ProcessSpec spec;
    spec.argv = {"/bin/cat"};
    spec.pipe_stdin = true;
    Process process = Process::spawn(spec);
    EXPECT_FALSE(process.try_wait().has_value());
    process.close_stdin();
    std::optional<ExitStatus> status;
    for (int i = 0; i < 1000 && !status; ++i) {
        status = process.try_wait();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(status->success());
}

TEST(ProcessTest, KillGroupReachesGrandchildren)
{
    ProcessSpec spec = shell("sleep 100 & sleep 100");
    spec.pipe_stdout = true;
    spec.own_process_group = true;
    Process process = Process::spawn(spec);
    process.kill_group(SIGKILL);
    EXPECT_EQ(process.wait().signal, SIGKILL);
    // End of file only once every holder of the pipe, the background sleep too, is gone.
    EXPECT_EQ(read_to_end(process.stdout_fd()), "");
}

TEST(ProcessTest, DiesWithItsParent)
{
    int pid_pipe[2];
    ASSERT_EQ(pipe(pid_pipe), 0);
    pid_t parent = fork();
    ASSERT_GE(parent, 0);
    if (parent == 0) {
        ProcessSpec spec;
        spec.argv = {"/bin/sleep", "100"};
        spec.die_with_parent = true;
        pid_t child = Process::spawn(spec).pid();
        ssize_t written = write(pid_pipe[1], &child, sizeof child);
        _exit(written == sizeof child ? 0 : 1);
    }
    close(pid_pipe[1]);
    pid_t child = -1;
    ASSERT_EQ(read(pid_pipe[0], &child, sizeof child), static_cast<ssize_t>(sizeof child));
    close(pid_pipe[0]);
    int raw = 0;
    waitpid(parent, &raw, 0);
    bool dead = false;
    for (int i = 0; i < 500 && !dead; ++i) {
        dead = is_dead(child);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(dead);
    if (!dead)
        kill(child, SIGKILL);
}

TEST(ProcessTest, WriteAllReportsAClosedPipe)
{
    signal(SIGPIPE, SIG_IGN);
    ProcessSpec spec = shell("exit 0");
    spec.pipe_stdin = true;
    Process process = Process::spawn(spec);
    process.wait();
    std::string data(100000, 'x');
    EXPECT_EQ(error_message([&] { write_all(process.stdin_fd(), data.data(), data.size()); }),
              "could not write to a pipe: Broken pipe");
    signal(SIGPIPE, SIG_DFL);
}

TEST(SupervisedProcessTest, FailureMessageQuotesTheEndOfStderr)
{
    SupervisedProcess process(shell("echo 'pg_dump: error: no such database' >&2; exit 1"));
    EXPECT_FALSE(process.wait().success());
    EXPECT_EQ(process.failure_message(),
              "sh failed (exited with code 1): pg_dump: error: no such database");
}

TEST(SupervisedProcessTest, KeepsOnlyTheTailOfLongStderr)
{
    SupervisedProcess process(
        shell("i=0; while [ $i -lt 2000 ]; do echo \"line $i\" >&2; i=$((i+1)); done; exit 2"));
    process.wait();
    std::string message = process.failure_message();
    EXPECT_LT(message.size(), 4200u);
    EXPECT_NE(message.find("): line "), std::string::npos) << "whole lines only: " << message;
    EXPECT_EQ(message.substr(message.size() - 9), "line 1999");
}

TEST(SupervisedProcessTest, DestructorKillsARunningChild)
{
    pid_t pid;
    {
        SupervisedProcess process(shell("sleep 100"));
        pid = process.process().pid();
    }
    EXPECT_NE(kill(pid, 0), 0) << "the child was neither killed nor reaped";
}

} // namespace
} // namespace lokbackup
