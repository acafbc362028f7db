// The one error boundary between C++ and PostgreSQL.
//
// Two rules keep C++ exceptions and PostgreSQL's longjmp errors apart:
// 1. Extension code that calls PostgreSQL (SPI, catalog, latches) is written in PostgreSQL's style:
//    its frames own no C++ objects with destructors, so an ereport(ERROR) may longjmp through them.
// 2. Every call into core (C++, which reports failures as exceptions) goes through core_call(). Its
//    lambda calls no PostgreSQL function that can raise an error, and returns a value with no
//    destructor (copy strings out with palloc_string()). core_call() catches every exception,
//    leaves the catch block, and only then raises the PostgreSQL error.
#pragma once

#include "extension/postgres.hpp"

extern "C" {
#include "utils/elog.h"
}

#include "core/base/error.hpp"

#include <new>
#include <string>
#include <type_traits>

namespace lokbackup::pg
{

// Copies a C++ string into the current memory context without ever raising a PostgreSQL error.
char *palloc_string(const std::string &text);
// Room for `count` objects in the current memory context, without ever raising a PostgreSQL
// error (throws std::bad_alloc instead).
void *palloc_noerror(std::size_t size);
template <typename T> T *palloc_noerror_array(std::size_t count)
{
    return static_cast<T *>(palloc_noerror(sizeof(T) * (count ? count : 1)));
}

// What a caught exception becomes: filled inside the catch block, raised after it.
struct CaughtError {
    int sqlstate = 0;
    char *message = nullptr;
};
void describe_current_exception(CaughtError &caught) noexcept;
[[noreturn]] void raise_caught_error(const CaughtError &caught);

template <typename Fn> auto core_call(Fn &&fn) -> decltype(fn())
{
    using Result = decltype(fn());
    static_assert(std::is_void_v<Result> || std::is_trivially_destructible_v<Result>,
                  "core_call must not return an object whose destructor an ereport could skip");
    CaughtError caught;
    try {
        return fn();
    } catch (...) {
        describe_current_exception(caught);
    }
    raise_caught_error(caught);
}

} // namespace lokbackup::pg
