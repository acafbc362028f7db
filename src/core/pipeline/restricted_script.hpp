// The input of a psql replay, so that an object is only ever data: whoever wrote the object, no
// backslash command in it can run (\! runs a shell, \copy ... program too, \o |cmd, \connect ...).
//
// psql 15.14, 16.10, 17.6 and 18 have \restrict KEY: after it, every backslash command is refused
// but \unrestrict with the same KEY. The input starts with lokbackup's own \restrict and a key
// that is random and never written anywhere, so nothing in the object can lift it.
//
// pg_dump and pg_dumpall of those versions write their own \restrict KEY line at the top of the
// script and \unrestrict KEY at its end; psql, restricted already, would refuse them. The first
// \restrict line and the \unrestrict lines of the same key are dropped; any other backslash
// command reaches psql restricted, which refuses it (and ON_ERROR_STOP ends the replay).
#pragma once

#include "core/backup/client_version.hpp"
#include "core/base/sink.hpp"

#include <string>

namespace lokbackup
{

class RestrictedScript : public Sink
{
  public:
    // `key` is psql's restrict key: letters and digits only. Throws Error otherwise.
    RestrictedScript(Sink &psql_input, std::string key);

    void write(const char *data, std::size_t size) override;
    void finish() override;

  private:
    void start();
    // Whether a whole line (without its newline) is one of the object's own restrict lines.
    bool is_dropped(const std::string &line);

    Sink &psql_input_;
    std::string key_;
    bool started_ = false;
    bool at_line_start_ = true;
    // A line that starts with a backslash is held until it is known whether it is one to drop:
    // at most a restrict line's length, so memory stays bounded whatever the object holds.
    bool holding_ = false;
    std::string held_;
    std::string object_key_; // the key of the object's own \restrict, once seen
};

// A fresh random key for RestrictedScript.
std::string random_restrict_key();

// Whether psql of `version` has \restrict (15.14, 16.10, 17.6, 18 and later minor releases).
bool has_restrict(const ClientVersion &version);

} // namespace lokbackup
