// One storage interface; each driver (local directory now, S3 later) implements it. The backup
// and restore pipelines never know which driver they talk to.
#pragma once

#include "core/sink.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace lokbackup
{

// Bytes written go to a temporary name; finish() publishes the object atomically (durably, for
// the local driver: fsync, rename, fsync of the directory). Destroying a writer that was not
// finished discards what it wrote.
class ObjectWriter : public Sink
{
  public:
    virtual void abort() noexcept = 0;
};

class ObjectReader
{
  public:
    virtual ~ObjectReader() = default;
    // Returns the number of bytes read; 0 at the end of the object.
    virtual std::size_t read(char *buffer, std::size_t capacity) = 0;
};

class Storage
{
  public:
    virtual ~Storage() = default;
    virtual std::unique_ptr<ObjectWriter> create(const std::string &key) = 0;
    // Throws Error when the object does not exist.
    virtual std::unique_ptr<ObjectReader> open(const std::string &key) = 0;
    // Removing an object that does not exist is not an error.
    virtual void remove(const std::string &key) = 0;
    // Removes what an interrupted writer of `key` may have left behind.
    virtual void discard_incomplete(const std::string &key) = 0;
    // Keys of every complete object whose key starts with `prefix`, in no particular order.
    virtual std::vector<std::string> list(const std::string &prefix) = 0;
    // Where a restore finds the object: an absolute path for the local driver.
    virtual std::string location(const std::string &key) = 0;
    // Human-readable description for messages (never includes secrets).
    virtual std::string describe() const = 0;
};

// `spec` is an absolute directory path (the local driver; created with mode 0700 if missing).
// Throws InvalidValue saying what is allowed.
std::unique_ptr<Storage> open_storage(const std::string &spec);
// Checks the form of `spec` without touching storage; throws InvalidValue saying what is allowed.
void check_storage_spec(const std::string &spec);

} // namespace lokbackup
