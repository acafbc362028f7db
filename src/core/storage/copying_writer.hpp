// A backup's object written to two destinations at once (lokbackup.storage_copy): the same bytes go
// to the primary, then to the copy. Memory stays bounded, since each writer holds only its own
// buffer (an S3 writer two parts); a slow destination slows the backup.
#pragma once

#include "core/storage/storage.hpp"

#include <functional>
#include <mutex>
#include <string>

namespace lokbackup
{

// The steps of a copy, under the policy of lokbackup.storage_copy_required: a required copy that
// fails fails the backup; an optional one is given up, and the backup goes on with the primary
// alone. Shared by the threads that finish the copy's object and store its manifest.
class CopyGuard
{
  public:
    // `destination` names the copy in errors ("copy to s3://bucket/prefix").
    CopyGuard(std::string destination, bool required);
    // Runs `step` unless the copy failed already; returns whether it ran and succeeded. When it
    // throws, a required copy throws Error "<destination>: <what>", an optional one records that
    // as its error.
    bool run(const std::function<void()> &step);
    bool failed() const;
    // Empty unless failed().
    std::string error() const;

  private:
    const std::string destination_;
    const bool required_;
    mutable std::mutex mutex_;
    std::string error_;
};

class CopyingWriter : public ObjectWriter
{
  public:
    // Steps of `copy` run under `guard`; an optional copy that fails is aborted and left alone.
    CopyingWriter(ObjectWriter &primary, ObjectWriter &copy, CopyGuard &guard);
    void write(const char *data, std::size_t size) override;
    // Finishes the copy on a thread of its own (the two storages answer independently) while the
    // primary finishes; when the primary fails, that failure is the one thrown.
    void finish() override;
    void abort() noexcept override;

  private:
    ObjectWriter &primary_;
    ObjectWriter &copy_;
    CopyGuard &guard_;
};

} // namespace lokbackup
