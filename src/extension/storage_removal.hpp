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

// Removes the object and its manifest now (and what an interrupted upload left: an open S3
// multipart upload is aborted); on failure logs a WARNING, remembers the key for
// retry_failed_removals() and returns false.
bool remove_now(const char *object_key);
// Tries the failed removals again, at most once a minute (the worker calls it when it wakes).
void retry_failed_removals();

} // namespace lokbackup::pg
