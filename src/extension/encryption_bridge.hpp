// The extension's call into core's backup encryption, through core_call().
#pragma once

#include "extension/postgres.hpp"

namespace lokbackup::pg
{

// Whom a backup made now is encrypted to (lokbackup.encrypt_to or encrypt_passphrase_file): a
// text[] literal of the fingerprints that the catalog records, or NULL when backups are not
// encrypted. Raises an ERROR that says what is wrong when both settings are set.
char *encrypted_to_in_force();

} // namespace lokbackup::pg
