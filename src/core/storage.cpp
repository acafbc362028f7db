#include "core/storage.hpp"

#include "core/error.hpp"
#include "core/local_storage.hpp"
#include "core/s3_storage.hpp"

#include <string_view>

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

void check_object_key(const std::string &key)
{
    auto reject = [&key](const std::string &reason) {
        throw Error("invalid object key \"" + key + "\": " + reason);
    };
    if (key.empty())
        reject("it is empty");
    if (key.front() == '/')
        reject("it is an absolute path");
    if (key.find('\0') != std::string::npos)
        reject("it contains a NUL byte");
    std::string_view rest = key;
    while (true) {
        std::string_view segment = rest.substr(0, rest.find('/'));
        if (segment.empty() || segment == "." || segment == "..")
            reject("every path segment must be a name other than \".\" and \"..\"");
        if (segment.size() == rest.size())
            break;
        rest.remove_prefix(segment.size() + 1);
    }
}

} // namespace lokbackup
