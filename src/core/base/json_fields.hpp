// A record's JSON codec as one table of fields: each row names a JSON field and the member that
// holds it, so that writing and reading cannot drift apart and a new field is one line.
#pragma once

#include "core/base/json_document.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace lokbackup
{

template <typename Record> struct JsonField {
    const char *name;
    std::function<void(Json &json, const Record &record)> write;
    // Throws Error naming the document and the field when it is missing or malformed.
    std::function<void(const JsonReader &reader, Record &record)> read;
};

template <typename Record> using JsonFields = std::vector<JsonField<Record>>;

// A string, integer or boolean member.
template <typename Record, typename Value>
JsonField<Record> json_field(const char *name, Value Record::*member)
{
    auto read = [name, member](const JsonReader &reader, Record &record) {
        if constexpr (std::is_same_v<Value, std::string>)
            record.*member = reader.string(name);
        else if constexpr (std::is_same_v<Value, bool>)
            record.*member = reader.boolean(name);
        else if constexpr (std::is_same_v<Value, int>)
            record.*member = reader.integer(name);
        else if constexpr (std::is_same_v<Value, std::int64_t>)
            record.*member = reader.int64(name);
        else {
            static_assert(std::is_same_v<Value, std::uint64_t>, "no JSON reader for this type");
            record.*member = reader.uint64(name);
        }
    };
    return {name, [name, member](Json &json, const Record &record) { json[name] = record.*member; },
            read};
}

// An enum member, written as its name; `parse` throws InvalidValue for a name it does not know.
template <typename Record, typename Enum>
JsonField<Record> json_field(const char *name, Enum Record::*member,
                             std::string_view (*name_of)(Enum), Enum (*parse)(std::string_view))
{
    return {name,
            [name, member, name_of](Json &json, const Record &record) {
                json[name] = name_of(record.*member);
            },
            [name, member, parse](const JsonReader &reader, Record &record) {
                record.*member = reader.enumeration(name, parse);
            }};
}

// A member that documents written before it existed leave out: it keeps its default then. For
// the child requests, which a worker library older than the program may still write.
template <typename Record, typename Value>
JsonField<Record> optional_json_field(const char *name, Value Record::*member)
{
    JsonField<Record> field = json_field(name, member);
    field.read = [name, read = field.read](const JsonReader &reader, Record &record) {
        if (reader.optional_field(name) != nullptr)
            read(reader, record);
    };
    return field;
}

template <typename Record>
void write_fields(Json &json, const Record &record, const JsonFields<Record> &fields)
{
    for (const JsonField<Record> &field : fields)
        field.write(json, record);
}

template <typename Record>
void read_fields(const JsonReader &reader, Record &record, const JsonFields<Record> &fields)
{
    for (const JsonField<Record> &field : fields)
        field.read(reader, record);
}

} // namespace lokbackup
