// A byte sink is one stage of a streaming pipeline: compressor, hasher, object writer, child stdin.
#pragma once

#include <cstddef>

namespace lokbackup
{

class Sink
{
  public:
    virtual ~Sink() = default;
    virtual void write(const char *data, std::size_t size) = 0;
    // End of input: flush everything downstream and finish the next stage too.
    virtual void finish() = 0;
};

} // namespace lokbackup
