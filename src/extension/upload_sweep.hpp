// The worker's sweep of incomplete uploads in the storage in force and the second destination
// (core/storage/upload_sweep.hpp): open S3 multipart uploads, or ".partial" files, older than a
// day that no running backup owns. An interrupted backup's own leftovers are removed as it fails;
// this catches what a removal never saw (a writer killed with its server, an upload whose abort
// was lost).
#pragma once

namespace lokbackup::pg
{

// Sweeps when the worker has just started and then once a day. Never raises: a failure is logged
// as a WARNING, and the next sweep is a day later.
void sweep_uploads_when_due();

} // namespace lokbackup::pg
