// S3 keys in a file, for a program that runs where the environment has none: wal-fetch, run by
// the server as its restore_command. Lines KEY=VALUE of AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
// and AWS_SESSION_TOKEN; blank lines and lines starting with # are skipped.
#pragma once

#include "core/storage/storage.hpp"

#include <string>

namespace lokbackup
{

// Sets the keys that the file gives in `s3`. Throws Error, without ever quoting a value: when the
// file is not a regular file, or group or others may read or write it (a secret's file must be
// its owner's alone: chmod 600), or a line is not KEY=VALUE of an allowed key (by line number).
void read_s3_credentials_file(const std::string &path, S3Options &s3);

// Writes the keys of `s3` (those that are set) into a new file at `path`, mode 0600, fsynced.
// Throws Error when it exists.
void write_s3_credentials_file(const std::string &path, const S3Options &s3);

} // namespace lokbackup
