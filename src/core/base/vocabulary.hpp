// The names of an enum's values, listed once: parsing, naming, the list of allowed values in an
// error, and the extension's GUC enum tables all come from that one list.
#pragma once

#include "core/base/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace lokbackup
{

template <typename Enum> struct Term {
    Enum value;
    const char *name; // a literal: a GUC enum table keeps the pointer
};

template <typename Enum> class Vocabulary
{
  public:
    // `what` names the vocabulary in errors ("compression"); `terms` in the order that errors
    // and settings list them.
    Vocabulary(std::string what, std::vector<Term<Enum>> terms)
        : what_(std::move(what)), terms_(std::move(terms))
    {
    }

    // Throws InvalidValue naming the allowed values.
    Enum parse(std::string_view name) const
    {
        for (const Term<Enum> &term : terms_)
            if (name == term.name)
                return term.value;
        throw InvalidValue("invalid " + what_ + " \"" + std::string(name) +
                           "\": allowed values are " + allowed());
    }

    const char *name(Enum value) const
    {
        for (const Term<Enum> &term : terms_)
            if (term.value == value)
                return term.name;
        throw Error("unknown " + what_);
    }

    // "zstd, gzip, none"
    std::string allowed() const
    {
        std::string list;
        for (const Term<Enum> &term : terms_)
            list += (list.empty() ? "" : ", ") + std::string(term.name);
        return list;
    }

    const std::vector<Term<Enum>> &terms() const { return terms_; }

  private:
    std::string what_;
    std::vector<Term<Enum>> terms_;
};

} // namespace lokbackup
