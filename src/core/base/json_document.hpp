// The JSON documents of core (manifest, backup request, backup events): reading fields with errors
// that name the document and the field, and writing text that is always valid JSON.
#pragma once

#include "core/base/error.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lokbackup
{

// Insertion-ordered, so that written documents list their fields in a readable order.
using Json = nlohmann::ordered_json;

class JsonReader
{
  public:
    // `text` must be one JSON object; `document` names it in error messages ("manifest").
    JsonReader(std::string document, const std::string &text);

    std::string string(const char *field) const;
    std::vector<std::string> strings(const char *field) const;
    std::int64_t int64(const char *field) const;
    std::uint64_t uint64(const char *field) const;
    int integer(const char *field) const;
    bool boolean(const char *field) const;
    // The field's value, or nullptr when the document has no such field or it is null.
    const Json *optional_field(const char *field) const;
    // What the document is called in error messages.
    const std::string &document() const { return document_; }

    // A string field holding an enum name; `parse` throws InvalidValue for unknown names.
    template <typename Parse> auto enumeration(const char *field, Parse parse) const
    {
        std::string name = string(field);
        try {
            return parse(name);
        } catch (const InvalidValue &e) {
            throw Error(document_ + ": field \"" + field + "\": " + e.what());
        }
    }

  private:
    const Json &typed(const char *field, bool (*is_type)(const Json &), const char *expected) const;

    std::string document_;
    Json json_;
};

// Throws Error naming `document` when a string in it is not valid UTF-8.
std::string json_text(const std::string &document, const Json &json, int indent = -1);

} // namespace lokbackup
