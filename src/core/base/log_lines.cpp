#include "core/base/log_lines.hpp"

#include "core/base/text.hpp"

namespace lokbackup
{

LogLines::LogLines(std::size_t max_line_bytes, std::size_t max_lines)
    : max_line_bytes_(max_line_bytes), max_lines_(max_lines)
{
}

void LogLines::end_line(std::vector<std::string> &lines)
{
    if (logged_ < max_lines_) {
        std::string line = printable(line_);
        if (cut_bytes_ > 0)
            line += " ... (" + std::to_string(cut_bytes_) + " more bytes)";
        lines.push_back(std::move(line));
        logged_++;
    } else {
        left_out_++;
    }
    line_.clear();
    cut_bytes_ = 0;
}

std::vector<std::string> LogLines::feed(const char *data, std::size_t size)
{
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < size; i++) {
        if (data[i] == '\n')
            end_line(lines);
        else if (line_.size() < max_line_bytes_)
            line_ += data[i];
        else
            cut_bytes_++;
    }
    return lines;
}

std::vector<std::string> LogLines::finish()
{
    std::vector<std::string> lines;
    if (!line_.empty() || cut_bytes_ > 0)
        end_line(lines);
    if (left_out_ > 0)
        lines.push_back("(" + std::to_string(left_out_) + " more lines not logged)");
    left_out_ = 0;
    return lines;
}

} // namespace lokbackup
