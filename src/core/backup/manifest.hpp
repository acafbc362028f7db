// The JSON manifest written beside every backup object, so that a backup can be found, checked
// and restored from storage alone, without the server's catalog: the completed backup's
// description, with the format version and what the backup contains.
#pragma once

#include "core/backup/backup_description.hpp"

#include <string>

namespace lokbackup
{

std::string manifest_to_json(const BackupDescription &backup);
// Throws Error naming the missing or malformed field. Every field of a completed backup is
// required; the database properties are not (lokbackup before 0.3.0 wrote none).
BackupDescription manifest_from_json(const std::string &json);

} // namespace lokbackup
