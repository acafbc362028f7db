// Removing backups from storage. An object is removed only once the transaction that marked its
// row deleted has committed: a deletion that rolls back leaves its backup whole, and a committed
// one never leaves a completed row without its object. The same transaction writes a row in
// lokbackup_removals (queue_removal() in catalog.hpp), so that a removal that fails after the
// commit (storage unreachable, a directory not writable) is not forgotten, not even across a
// restart: the worker tries it again, with growing waits, until storage says the objects are
// gone, and only then drops the row. A failed attempt is logged, not raised, since the
// transaction can no longer be undone.
#pragma once

#include "extension/postgres.hpp"

#include "extension/row_storage.hpp"

namespace lokbackup::pg
{

// Removes the object and its manifest from `storage` when the current transaction commits, then
// wakes the worker to settle the removal's row.
void remove_after_commit(const RowStorage &storage, const char *object_key);

// Tries the removals of lokbackup_removals that are due (with `all`, every one: the worker does
// so as it starts). A pass stops at the first failure, so that a storage that is down costs the
// worker one attempt, not one per removal. Never raises: a failure is logged as a WARNING.
void retry_queued_removals(bool all);

} // namespace lokbackup::pg
