#include "extension/boundary.hpp"

extern "C" {
#include "utils/memutils.h"
}

#include <cstring>
#include <exception>

namespace lokbackup::pg
{

void *palloc_noerror(std::size_t size)
{
    void *room = palloc_extended(size, MCXT_ALLOC_NO_OOM | MCXT_ALLOC_HUGE);
    if (room == nullptr)
        throw std::bad_alloc();
    return room;
}

char *palloc_string(const std::string &text)
{
    auto *copy = static_cast<char *>(palloc_noerror(text.size() + 1));
    std::memcpy(copy, text.c_str(), text.size() + 1);
    return copy;
}

static char *copy_or_null(const std::string &text) noexcept
{
    if (text.empty())
        return nullptr;
    try {
        return palloc_string(text);
    } catch (...) {
        return nullptr;
    }
}

void describe_current_exception(CaughtError &caught) noexcept
{
    try {
        throw;
    } catch (const InvalidValue &invalid) {
        caught.sqlstate = ERRCODE_INVALID_PARAMETER_VALUE;
        caught.message = copy_or_null(invalid.what());
    } catch (const Unsupported &unsupported) {
        caught.sqlstate = ERRCODE_FEATURE_NOT_SUPPORTED;
        caught.message = copy_or_null(unsupported.what());
    } catch (const std::bad_alloc &) {
        caught.sqlstate = ERRCODE_OUT_OF_MEMORY;
        caught.message = const_cast<char *>("out of memory");
    } catch (const std::exception &other) {
        caught.sqlstate = ERRCODE_EXTERNAL_ROUTINE_EXCEPTION;
        caught.message = copy_or_null(other.what());
    } catch (...) {
        caught.sqlstate = ERRCODE_INTERNAL_ERROR;
    }
}

void raise_caught_error(const CaughtError &caught)
{
    ereport(ERROR,
            (errcode(caught.sqlstate),
             errmsg("%s", caught.message ? caught.message : "lokbackup: unexpected C++ error")));
    pg_unreachable();
}

} // namespace lokbackup::pg
