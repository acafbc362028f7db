// Errors of the core layer. Core reports every failure as an exception; the extension's error
// boundary and the cli's main() are the only places that catch them.
#pragma once

#include <stdexcept>
#include <string>

namespace lokbackup
{

class Error : public std::runtime_error
{
  public:
    using std::runtime_error::runtime_error;
};

// A value that a user wrote (a setting, an argument) is not allowed; the message says what is.
class InvalidValue : public Error
{
  public:
    using Error::Error;
};

// Something the configured setup cannot do (a presigned URL of local storage); the message says
// what is needed.
class Unsupported : public Error
{
  public:
    using Error::Error;
};

// What storage holds is not what was backed up: the object or its manifest is missing, has another
// size or checksum, or does not decompress. Distinct from a failure to read (the network, a
// permission), which says nothing about the backup: only this marks it failed verification.
class BackupDamaged : public Error
{
  public:
    using Error::Error;
};

// Throws an error of the same kind as `original` (BackupDamaged or Error) with `message`: for a
// caller that adds what it did about the error (dropped a database) and must not turn a damaged
// backup into a mere failure.
[[noreturn]] void throw_like(const Error &original, const std::string &message);

// Raises Error with the message and the text of errno.
[[noreturn]] void throw_system_error(const std::string &what);

} // namespace lokbackup
