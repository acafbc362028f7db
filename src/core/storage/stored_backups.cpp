#include "core/storage/stored_backups.hpp"

#include "core/base/error.hpp"
#include "core/storage/object_key.hpp"
#include "core/storage/small_object.hpp"
#include "core/base/text.hpp"

#include <algorithm>
#include <set>
#include <tuple>

namespace lokbackup
{

namespace
{

// What manifest_key() appends to an object's key.
const std::string manifest_suffix = manifest_key("");

bool newer(const StoredBackup *a, const StoredBackup *b)
{
    return std::tie(a->manifest.finished_at, a->manifest.id) >
           std::tie(b->manifest.finished_at, b->manifest.id);
}

std::string describe(const StoredBackup &backup)
{
    return backup.manifest.object_key + " (SHA-256 " + backup.manifest.sha256 + ", finished " +
           backup.manifest.finished_at + ")";
}

} // namespace

std::vector<StoredBackup> read_stored_backups(
    Storage &storage, const std::vector<std::string> &keys,
    const std::function<void(const std::string &key, const std::string &reason)> &skipped)
{
    std::set<std::string> listed(keys.begin(), keys.end());
    std::vector<StoredBackup> backups;
    for (const std::string &key : keys) {
        if (key.size() <= manifest_suffix.size() || !ends_with(key, manifest_suffix))
            continue;
        StoredBackup backup;
        try {
            backup.manifest = manifest_from_json(read_small_object(*storage.open(key), key));
        } catch (const Error &error) {
            skipped(key, error.what());
            continue;
        }
        backup.manifest_key = key;
        backup.object_present = listed.count(backup.manifest.object_key) > 0;
        backups.push_back(std::move(backup));
    }
    return backups;
}

std::int64_t highest_backup_id(const std::vector<std::string> &keys)
{
    std::int64_t highest = 0;
    for (const std::string &key : keys)
        highest = std::max(highest, backup_id_of_key(key).value_or(0));
    return highest;
}

LatestBackup choose_latest(const std::vector<StoredBackup> &backups, const std::string &database)
{
    std::vector<const StoredBackup *> candidates;
    for (const StoredBackup &backup : backups)
        if (backup.manifest.database == database)
            candidates.push_back(&backup);
    std::sort(candidates.begin(), candidates.end(), newer);
    LatestBackup latest;
    for (const StoredBackup *candidate : candidates) {
        if (candidate->object_present) {
            latest.chosen = candidate;
            break;
        }
        latest.missing.push_back(candidate);
    }
    return latest;
}

const StoredBackup *choose_by_id(const std::vector<StoredBackup> &backups, std::int64_t id,
                                 const std::optional<std::string> &sha256)
{
    std::vector<const StoredBackup *> candidates;
    for (const StoredBackup &backup : backups)
        if (backup.manifest.id == id)
            candidates.push_back(&backup);
    // With --sha256, the backups that have it; when none has it, the checksum check refuses the
    // one backup, or the refusal of several below names their checksums.
    if (sha256 && std::any_of(candidates.begin(), candidates.end(),
                              [&](const StoredBackup *b) { return b->manifest.sha256 == *sha256; }))
        candidates.erase(
            std::remove_if(candidates.begin(), candidates.end(),
                           [&](const StoredBackup *b) { return b->manifest.sha256 != *sha256; }),
            candidates.end());
    if (candidates.empty())
        return nullptr;
    std::set<std::string> checksums;
    std::string listing;
    for (const StoredBackup *candidate : candidates) {
        checksums.insert(candidate->manifest.sha256);
        listing += "\n  " + describe(*candidate);
    }
    if (checksums.size() > 1)
        throw Error("storage holds " + std::to_string(candidates.size()) +
                    " different backups with id " + std::to_string(id) + ":" + listing +
                    "\nThey were made by different installs of the extension (before lokbackup "
                    "0.3.0, ids started again after DROP EXTENSION). Pass --sha256 with the "
                    "checksum of the one you mean, from its notification or its manifest.");
    auto present = std::find_if(candidates.begin(), candidates.end(),
                                [](const StoredBackup *b) { return b->object_present; });
    return present != candidates.end() ? *present : candidates.front();
}

} // namespace lokbackup
