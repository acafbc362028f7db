// The background worker: takes backup requests from the request slot and runs them.
#pragma once

namespace lokbackup::pg
{

void register_worker();

} // namespace lokbackup::pg
