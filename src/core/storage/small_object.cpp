#include "core/storage/small_object.hpp"

#include "core/base/error.hpp"

namespace lokbackup
{

namespace
{

// Manifests are a few hundred bytes; anything much larger is not one.
constexpr std::size_t small_object_limit = 1 << 20;

} // namespace

std::string read_small_object(ObjectReader &reader, const std::string &what)
{
    std::string text;
    char buffer[65536];
    while (std::size_t got = reader.read(buffer, sizeof buffer)) {
        text.append(buffer, got);
        if (text.size() > small_object_limit)
            throw BackupDamaged(what + " is larger than 1 MiB, which no manifest is");
    }
    return text;
}

} // namespace lokbackup
