#include "core/storage/upload_sweep.hpp"

#include "core/storage/object_key.hpp"

#include <algorithm>

namespace lokbackup
{

std::vector<IncompleteUpload> stale_uploads(const std::vector<IncompleteUpload> &uploads,
                                            const std::vector<std::string> &running_keys,
                                            std::time_t now, std::chrono::seconds min_age)
{
    auto running = [&](const std::string &key) {
        return std::any_of(running_keys.begin(), running_keys.end(), [&](const std::string &k) {
            return key == k || key == manifest_key(k);
        });
    };
    std::vector<IncompleteUpload> stale;
    for (const IncompleteUpload &upload : uploads) {
        // A start in the future (a clock that moved back) is not old.
        if (now - upload.started > min_age.count() && !running(upload.key))
            stale.push_back(upload);
    }
    return stale;
}

SweepResult sweep_stale_uploads(Storage &storage, const std::vector<std::string> &running_keys,
                                std::time_t now)
{
    std::vector<IncompleteUpload> uploads = storage.incomplete_uploads();
    SweepResult result;
    result.found = uploads.size();
    for (const IncompleteUpload &upload : stale_uploads(uploads, running_keys, now)) {
        storage.discard_upload(upload);
        result.discarded++;
    }
    return result;
}

} // namespace lokbackup
