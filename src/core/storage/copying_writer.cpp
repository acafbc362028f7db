#include "core/storage/copying_writer.hpp"

#include "core/base/error.hpp"

#include <future>

namespace lokbackup
{

CopyGuard::CopyGuard(std::string destination, bool required)
    : destination_(std::move(destination)), required_(required)
{
}

bool CopyGuard::run(const std::function<void()> &step)
{
    if (failed())
        return false;
    try {
        step();
        return true;
    } catch (const std::exception &e) {
        std::string message = destination_ + ": " + e.what();
        if (required_)
            throw Error(message);
        std::lock_guard<std::mutex> lock(mutex_);
        // The first failure is the cause; a later one of the other thread only follows from it.
        if (error_.empty())
            error_ = message;
        return false;
    }
}

bool CopyGuard::failed() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return !error_.empty();
}

std::string CopyGuard::error() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return error_;
}

CopyingWriter::CopyingWriter(ObjectWriter &primary, ObjectWriter &copy, CopyGuard &guard)
    : primary_(primary), copy_(copy), guard_(guard)
{
}

void CopyingWriter::write(const char *data, std::size_t size)
{
    primary_.write(data, size);
    if (!guard_.failed() && !guard_.run([&] { copy_.write(data, size); }))
        copy_.abort();
}

void CopyingWriter::finish()
{
    auto copy_finished = std::async(std::launch::async, [this] {
        if (!guard_.run([this] { copy_.finish(); }))
            copy_.abort();
    });
    try {
        primary_.finish();
    } catch (...) {
        copy_finished.wait();
        throw;
    }
    copy_finished.get();
}

void CopyingWriter::abort() noexcept
{
    primary_.abort();
    copy_.abort();
}

} // namespace lokbackup
