#include "core/wal/wal_retention.hpp"

#include "core/base/error.hpp"
#include "core/wal/wal_archive_key.hpp"

#include <tuple>

namespace lokbackup
{

namespace
{

// Orders WAL files as recovery meets them: by position, then timeline.
auto order(const WalFileName &file)
{
    return std::make_tuple(file.position, file.timeline, file.name);
}

void count(WalArchiveSize &size, const ListedObject &object, const WalFileName *file)
{
    size.objects++;
    size.bytes += object.size;
    if (file == nullptr || file->kind == WalFileKind::timeline_history)
        return;
    auto replaces = [&](const std::string &current, bool older) {
        if (current.empty())
            return true;
        WalFileName held = *parse_wal_file_name(current);
        return older ? order(*file) < order(held) : order(held) < order(*file);
    };
    if (replaces(size.oldest_wal, true))
        size.oldest_wal = file->name;
    if (replaces(size.newest_wal, false))
        size.newest_wal = file->name;
}

} // namespace

WalRetentionPlan plan_wal_retention(const std::vector<ListedObject> &objects,
                                    const std::optional<std::string> &keep_from)
{
    std::optional<WalFileName> first_kept;
    if (keep_from) {
        first_kept = wal_file_name(*keep_from);
        if (first_kept->kind != WalFileKind::segment)
            throw InvalidValue("\"" + *keep_from +
                               "\" is not a WAL segment: a base backup starts in a segment");
    }
    WalRetentionPlan plan;
    for (const ListedObject &object : objects) {
        std::optional<ArchivedWalObject> archived = parse_wal_object_key(object.key);
        const WalFileName *file = archived ? &archived->file : nullptr;
        bool expired = file != nullptr && first_kept &&
                       file->kind != WalFileKind::timeline_history &&
                       file->position < first_kept->position;
        if (expired)
            plan.expired.push_back(object.key);
        else
            count(plan.kept, object, file);
    }
    return plan;
}

} // namespace lokbackup
