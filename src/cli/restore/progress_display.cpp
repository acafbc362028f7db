#include "cli/restore/progress_display.hpp"

#include "core/base/human_units.hpp"

#include <iostream>
#include <unistd.h>

namespace lokbackup::cli
{

namespace
{

constexpr std::chrono::milliseconds redraw_interval{200};
const char *const clear_line = "\r\033[K";

} // namespace

ProgressDisplay::ProgressDisplay(std::uint64_t total)
    : total_(total), enabled_(isatty(STDERR_FILENO))
{
}

ProgressDisplay::~ProgressDisplay()
{
    if (drawn_)
        std::cerr << clear_line << std::flush;
}

void ProgressDisplay::update(const char *step, std::uint64_t done)
{
    auto now = std::chrono::steady_clock::now();
    if (!enabled_ || (drawn_ && step == step_ && now - last_draw_ < redraw_interval))
        return;
    unsigned percent = total_ ? static_cast<unsigned>(done * 100 / total_) : 100;
    std::cerr << clear_line << step << ": " << pretty_size(done) << " of " << pretty_size(total_)
              << " (" << percent << "%)" << std::flush;
    drawn_ = true;
    step_ = step;
    last_draw_ = now;
}

} // namespace lokbackup::cli
