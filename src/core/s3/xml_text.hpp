// A tiny, tolerant reader of the XML documents that S3 answers with (errors, listings, upload
// ids): the text of named elements, found by their tags. Attributes are ignored, <Name/> is an
// empty value, and an element may not contain another of the same name (S3's never do).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lokbackup
{

// The decoded text of every element named `name`, in document order.
std::vector<std::string> xml_values(std::string_view xml, std::string_view name);
// The decoded text of the first element named `name`, or "".
std::string xml_value(std::string_view xml, std::string_view name);
// The undecoded contents of every element named `name`, to look inside (<Contents>, <Upload>).
std::vector<std::string_view> xml_elements(std::string_view xml, std::string_view name);
// The name of the document's root element, or "" when there is none.
std::string xml_root_name(std::string_view xml);
// Text made safe to put between tags.
std::string xml_escape(std::string_view text);

} // namespace lokbackup
