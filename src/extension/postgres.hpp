// postgres.h for the C++ of the extension, and what differs between PostgreSQL's major versions
// (15 to 18), in one place. Every extension file includes this first, instead of postgres.h.
#pragma once

// A server built without NLS defines gettext() and friends as macros, which break <libintl.h>
// when a C++ standard header includes it later: it is included before them.
#include <libintl.h>

extern "C" {
#include "postgres.h"
#include "storage/latch.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#if PG_VERSION_NUM >= 160000
#include "archive/archive_module.h"
#else
#include "postmaster/pgarch.h"
#endif
}

namespace lokbackup::pg
{

// A wait event set, for FreeWaitEventSet(). PostgreSQL 17 ties it to a resource owner, which
// releases it on an error inside a transaction, instead of a memory context.
inline WaitEventSet *create_wait_event_set(int events)
{
#if PG_VERSION_NUM >= 170000
    return CreateWaitEventSet(CurrentResourceOwner, events);
#else
    return CreateWaitEventSet(CurrentMemoryContext, events);
#endif
}

// Why the archive module is not configured, for the archiver's warning "archiving is not
// configured": its DETAIL from PostgreSQL 17 on, a warning of its own before.
inline void explain_archive_not_configured(const char *detail)
{
#if PG_VERSION_NUM >= 170000
    arch_module_check_errdetail("%s", detail);
#else
    ereport(WARNING, (errmsg("lokbackup cannot archive WAL: %s", detail)));
#endif
}

} // namespace lokbackup::pg
