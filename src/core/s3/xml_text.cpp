#include "core/s3/xml_text.hpp"

#include <cstdint>
#include <cstdlib>

namespace lokbackup
{

namespace
{

void append_utf8(std::string &text, std::uint32_t code)
{
    if (code < 0x80) {
        text += static_cast<char>(code);
    } else if (code < 0x800) {
        text += static_cast<char>(0xc0 | (code >> 6));
        text += static_cast<char>(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
        text += static_cast<char>(0xe0 | (code >> 12));
        text += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
        text += static_cast<char>(0x80 | (code & 0x3f));
    } else {
        text += static_cast<char>(0xf0 | (code >> 18));
        text += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
        text += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
        text += static_cast<char>(0x80 | (code & 0x3f));
    }
}

// Replaces the predefined entities and character references; anything else stays as it is.
std::string decode(std::string_view text)
{
    static const std::pair<std::string_view, char> entities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    std::string decoded;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '&') {
            decoded += text[i];
            continue;
        }
        std::size_t end = text.find(';', i);
        std::string_view entity = text.substr(i, end == std::string_view::npos ? 0 : end - i + 1);
        bool replaced = false;
        for (const auto &[name, c] : entities) {
            if (entity == name) {
                decoded += c;
                replaced = true;
            }
        }
        if (!replaced && entity.size() > 3 && entity[1] == '#') {
            bool hex = entity[2] == 'x';
            std::string digits(entity.substr(hex ? 3 : 2, entity.size() - (hex ? 4 : 3)));
            char *rest = nullptr;
            unsigned long code = std::strtoul(digits.c_str(), &rest, hex ? 16 : 10);
            if (!digits.empty() && *rest == '\0' && code <= 0x10ffff) {
                append_utf8(decoded, static_cast<std::uint32_t>(code));
                replaced = true;
            }
        }
        if (replaced)
            i = end;
        else
            decoded += '&';
    }
    return decoded;
}

} // namespace

std::vector<std::string_view> xml_elements(std::string_view xml, std::string_view name)
{
    std::vector<std::string_view> found;
    std::string open = "<" + std::string(name);
    std::string close = "</" + std::string(name) + ">";
    std::size_t position = 0;
    while ((position = xml.find(open, position)) != std::string_view::npos) {
        std::size_t after_name = position + open.size();
        std::size_t tag_end = xml.find('>', after_name);
        if (tag_end == std::string_view::npos)
            break;
        char next = xml[after_name];
        position = tag_end + 1;
        if (next != '>' && next != ' ' && next != '/' && next != '\t' && next != '\r' &&
            next != '\n')
            continue; // another element whose name starts with `name`
        if (xml[tag_end - 1] == '/') {
            found.emplace_back();
            continue;
        }
        std::size_t content_end = xml.find(close, position);
        if (content_end == std::string_view::npos)
            break;
        found.push_back(xml.substr(position, content_end - position));
        position = content_end + close.size();
    }
    return found;
}

std::vector<std::string> xml_values(std::string_view xml, std::string_view name)
{
    std::vector<std::string> values;
    for (std::string_view element : xml_elements(xml, name))
        values.push_back(decode(element));
    return values;
}

std::string xml_value(std::string_view xml, std::string_view name)
{
    std::vector<std::string_view> elements = xml_elements(xml, name);
    return elements.empty() ? "" : decode(elements.front());
}

std::string xml_root_name(std::string_view xml)
{
    std::size_t position = 0;
    // Skips the declaration, comments and processing instructions before the root.
    while ((position = xml.find('<', position)) != std::string_view::npos &&
           position + 1 < xml.size() && (xml[position + 1] == '?' || xml[position + 1] == '!'))
        ++position;
    if (position == std::string_view::npos)
        return "";
    std::size_t end = xml.find_first_of(" \t\r\n/>", position + 1);
    return std::string(xml.substr(
        position + 1, end == std::string_view::npos ? std::string_view::npos : end - position - 1));
}

std::string xml_escape(std::string_view text)
{
    std::string escaped;
    for (char c : text) {
        switch (c) {
        case '&':
            escaped += "&amp;";
            break;
        case '<':
            escaped += "&lt;";
            break;
        case '>':
            escaped += "&gt;";
            break;
        default:
            escaped += c;
        }
    }
    return escaped;
}

} // namespace lokbackup
