// Removing backups from storage. An object is removed only once the transaction that marked its
// row deleted has committed: a deletion that rolls back leaves its backup whole, and a committed
// one never leaves a completed row without its object. A removal that fails then is logged (the
// row is deleted; what is left in storage is named in the log) rather than raised, since the
// transaction can no longer be undone.
#pragma once

extern "C" {
#include "postgres.h"
}

namespace lokbackup::pg
{

// Removes the object and its manifest when the current transaction commits.
void remove_after_commit(const char *object_key);

// Removes the object and its manifest now; on failure logs a WARNING and returns false.
bool remove_now(const char *object_key);

} // namespace lokbackup::pg
