#include "core/storage/open_storage.hpp"

#include "core/base/error.hpp"
#include "core/s3/s3_address.hpp"
#include "core/storage/local_storage.hpp"
#include "core/storage/s3_storage.hpp"

namespace lokbackup
{

void check_storage_spec(const std::string &spec)
{
    if (is_s3_spec(spec)) {
        parse_s3_spec(spec);
        return;
    }
    if (spec.empty() || spec.front() != '/')
        throw InvalidValue("invalid storage \"" + spec +
                           "\": use an absolute directory path or s3://bucket[/prefix]");
}

std::unique_ptr<Storage> open_storage(const StorageConfig &config)
{
    check_storage_spec(config.spec);
    if (is_s3_spec(config.spec))
        return open_s3_storage(config);
    return open_local_storage(config.spec, config.acknowledged);
}

} // namespace lokbackup
