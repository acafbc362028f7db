#include "core/base/json_document.hpp"

#include <algorithm>

#include <climits>
#include <limits>

namespace lokbackup
{

namespace
{

// nlohmann's messages start with an identifier such as "[json.exception.parse_error.101] ".
std::string without_exception_id(const std::string &message)
{
    std::string::size_type end = message.find("] ");
    return end == std::string::npos ? message : message.substr(end + 2);
}

} // namespace

JsonReader::JsonReader(std::string document, const std::string &text)
    : document_(std::move(document))
{
    try {
        json_ = Json::parse(text);
    } catch (const Json::parse_error &e) {
        throw Error(document_ + ": invalid JSON: " + without_exception_id(e.what()));
    }
    if (!json_.is_object())
        throw Error(document_ + ": not a JSON object");
}

const Json &JsonReader::typed(const char *field, bool (*is_type)(const Json &),
                              const char *expected) const
{
    auto found = json_.find(field);
    if (found == json_.end() || !is_type(*found))
        throw Error(document_ + ": field \"" + field + "\" is missing or not " + expected);
    return *found;
}

std::string JsonReader::string(const char *field) const
{
    auto is_string = [](const Json &value) { return value.is_string(); };
    return typed(field, is_string, "a string").get<std::string>();
}

std::vector<std::string> JsonReader::strings(const char *field) const
{
    auto is_string_array = [](const Json &value) {
        return value.is_array() && std::all_of(value.begin(), value.end(),
                                               [](const Json &item) { return item.is_string(); });
    };
    return typed(field, is_string_array, "an array of strings").get<std::vector<std::string>>();
}

std::int64_t JsonReader::int64(const char *field) const
{
    auto is_integer = [](const Json &value) { return value.is_number_integer(); };
    const Json &number = typed(field, is_integer, "an integer");
    if (number.is_number_unsigned() &&
        number.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
        throw Error(document_ + ": field \"" + field + "\" is out of range");
    return number.get<std::int64_t>();
}

std::uint64_t JsonReader::uint64(const char *field) const
{
    auto is_unsigned = [](const Json &value) { return value.is_number_unsigned(); };
    return typed(field, is_unsigned, "a non-negative integer").get<std::uint64_t>();
}

int JsonReader::integer(const char *field) const
{
    std::int64_t number = int64(field);
    if (number < INT_MIN || number > INT_MAX)
        throw Error(document_ + ": field \"" + field + "\" is out of range");
    return static_cast<int>(number);
}

bool JsonReader::boolean(const char *field) const
{
    auto is_boolean = [](const Json &value) { return value.is_boolean(); };
    return typed(field, is_boolean, "a boolean").get<bool>();
}

const Json *JsonReader::optional_field(const char *field) const
{
    auto found = json_.find(field);
    return found == json_.end() || found->is_null() ? nullptr : &*found;
}

std::string json_text(const std::string &document, const Json &json, int indent)
{
    try {
        return json.dump(indent);
    } catch (const Json::type_error &e) {
        throw Error(document + ": " + without_exception_id(e.what()));
    }
}

} // namespace lokbackup
