// One run: the backups that one request asks for (every configured database, plus the roles).
#pragma once

namespace lokbackup::pg
{

// Takes the request waiting in the slot, if there is one: creates its catalog rows, answers the
// caller, then runs the backups one after the other. `handle_interrupts` is called whenever the
// worker's latch is set, and before the run and each database's backup start, so that they use the
// settings last reloaded; it may exit the process. Returns whether there was a request.
bool serve_request(void (*handle_interrupts)());

} // namespace lokbackup::pg
