// Entry point of the shared library: settings, shared memory, and the background worker.
#include "extension/postgres.hpp"

extern "C" {
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/ipc.h"
}

#include "extension/secret_redaction.hpp"
#include "extension/settings.hpp"
#include "extension/shared_state.hpp"
#include "extension/worker.hpp"

extern "C" {
PG_MODULE_MAGIC;
PGDLLEXPORT void _PG_init(void);
}

static shmem_request_hook_type previous_shmem_request_hook = nullptr;
static shmem_startup_hook_type previous_shmem_startup_hook = nullptr;

static void request_shmem()
{
    if (previous_shmem_request_hook)
        previous_shmem_request_hook();
    lokbackup::pg::request_shared_memory();
}

static void startup_shmem()
{
    if (previous_shmem_startup_hook)
        previous_shmem_startup_hook();
    lokbackup::pg::initialize_shared_memory();
}

void _PG_init(void)
{
    // The worker and the request slot need shared memory, which exists only for libraries loaded
    // at server start.
    if (!process_shared_preload_libraries_in_progress)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("lokbackup must be loaded through shared_preload_libraries"),
                        errhint("Add lokbackup to shared_preload_libraries in postgresql.conf and "
                                "restart the server.")));

    lokbackup::pg::define_settings();
    lokbackup::pg::install_secret_redaction();

    previous_shmem_request_hook = shmem_request_hook;
    shmem_request_hook = request_shmem;
    previous_shmem_startup_hook = shmem_startup_hook;
    shmem_startup_hook = startup_shmem;

    // Nothing runs during pg_upgrade's binary-upgrade mode.
    if (!IsBinaryUpgrade)
        lokbackup::pg::register_worker();
}
