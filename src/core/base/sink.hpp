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

// Passes the bytes on to `out` and leaves `out`'s finish() to the caller: for a stage whose end
// must not end what follows it (a frame among others, a file published only once checked).
class UnfinishingSink : public Sink
{
  public:
    explicit UnfinishingSink(Sink &out) : out_(out) {}
    void write(const char *data, std::size_t size) override { out_.write(data, size); }
    void finish() override {}

  private:
    Sink &out_;
};

} // namespace lokbackup
