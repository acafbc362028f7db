#include "core/storage/storage.hpp"

#include "core/base/error.hpp"

#include <string_view>

namespace lokbackup
{

std::vector<std::string> Storage::list(const std::string &prefix)
{
    std::vector<std::string> keys;
    for (ListedObject &object : list_objects(prefix))
        keys.push_back(std::move(object.key));
    return keys;
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
