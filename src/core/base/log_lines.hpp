// A child's stderr made fit for the server log: cut into lines, each printable (core/base/text.hpp)
// and bounded in length, and bounded in number, so that whatever a child or the pg_dump under it
// writes, the worker logs a few kilobytes at most, none of it able to forge a log line.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace lokbackup
{

class LogLines
{
  public:
    // At most `max_lines` lines of at most `max_line_bytes` bytes each (before escaping).
    LogLines(std::size_t max_line_bytes, std::size_t max_lines);

    // The lines that `data` completes, ready to log.
    std::vector<std::string> feed(const char *data, std::size_t size);
    // At the end of the stream: the last line if it had no newline, and how many lines were left
    // out when there were too many.
    std::vector<std::string> finish();

  private:
    void end_line(std::vector<std::string> &lines);

    std::size_t max_line_bytes_;
    std::size_t max_lines_;
    std::string line_;
    std::size_t cut_bytes_ = 0; // of the current line, past max_line_bytes_
    std::size_t logged_ = 0;
    std::size_t left_out_ = 0;
};

} // namespace lokbackup
