// The progress line of a restore, on stderr when that is a terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace lokbackup::cli
{

class ProgressDisplay
{
  public:
    explicit ProgressDisplay(std::uint64_t total);
    // Clears the line, so that what is printed next starts on a clean one.
    ~ProgressDisplay();
    ProgressDisplay(const ProgressDisplay &) = delete;
    ProgressDisplay &operator=(const ProgressDisplay &) = delete;

    // Redraws at most a few times a second, and whenever `step` changes ("verifying: 2 MB of 5 MB
    // (40%)").
    void update(const char *step, std::uint64_t done);

  private:
    std::uint64_t total_;
    bool enabled_;
    bool drawn_ = false;
    std::string step_;
    std::chrono::steady_clock::time_point last_draw_;
};

} // namespace lokbackup::cli
