// What a base backup's tar says about the WAL it needs. pg_basebackup -X none writing to stdout
// reports no WAL positions, so the backup child reads them from the stream as it passes by:
// backup_label (its first member: "START WAL LOCATION: 0/2000028 (file ...)", "START TIMELINE:
// 1") and backup_manifest (its last: "WAL-Ranges" with each range's "End-LSN").
#pragma once

#include "core/backup/backup_description.hpp"
#include "core/base/sink.hpp"

#include <cstdint>
#include <string>

namespace lokbackup
{

// The WAL range from the texts of backup_label and the end of backup_manifest, for a cluster of
// `segment_size`-byte segments. Throws Error saying what is missing or malformed.
WalRange base_backup_wal_range(const std::string &backup_label, const std::string &manifest_tail,
                               std::uint64_t segment_size);

// Follows a tar stream (ustar, as pg_basebackup writes it) and keeps backup_label and the end of
// backup_manifest; drops the rest.
class BaseBackupTarScanner : public Sink
{
  public:
    void write(const char *data, std::size_t size) override;
    void finish() override {}
    // Throws Error when the stream held no backup_label or no backup_manifest.
    WalRange wal_range(std::uint64_t segment_size) const;

  private:
    void header_complete();
    std::string header_;          // the header block being read
    std::uint64_t left_ = 0;      // bytes of the current member's data (and padding) still to come
    std::uint64_t data_ = 0;      // of which data (the rest is padding)
    std::string *keep_ = nullptr; // where the current member's data goes, if anywhere
    bool tail_only_ = false;      // keep only the end of it
    std::string label_;
    std::string manifest_tail_;
    bool has_label_ = false;
    bool has_manifest_ = false;
};

} // namespace lokbackup
