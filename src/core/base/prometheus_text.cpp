#include "core/base/prometheus_text.hpp"

#include <cmath>
#include <cstdio>

namespace lokbackup
{

namespace
{

// HELP text escapes only backslashes and line feeds.
std::string escape_help(std::string_view help)
{
    std::string escaped;
    for (char c : help) {
        if (c == '\\')
            escaped += "\\\\";
        else if (c == '\n')
            escaped += "\\n";
        else
            escaped += c;
    }
    return escaped;
}

std::string number_text(double value)
{
    char text[64];
    if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15)
        std::snprintf(text, sizeof text, "%.0f", value);
    else
        std::snprintf(text, sizeof text, "%.17g", value);
    return text;
}

} // namespace

std::string escape_label_value(std::string_view value)
{
    std::string escaped;
    for (char c : value) {
        if (c == '\\')
            escaped += "\\\\";
        else if (c == '"')
            escaped += "\\\"";
        else if (c == '\n')
            escaped += "\\n";
        else
            escaped += c;
    }
    return escaped;
}

std::string prometheus_text(const std::vector<MetricFamily> &families)
{
    std::string text;
    for (const MetricFamily &family : families) {
        text += "# HELP " + family.name + " " + escape_help(family.help) + "\n";
        text += "# TYPE " + family.name + " " + family.type + "\n";
        for (const MetricSample &sample : family.samples) {
            text += family.name;
            if (!sample.labels.empty()) {
                text += "{";
                for (std::size_t i = 0; i < sample.labels.size(); ++i)
                    text += (i ? "," : "") + sample.labels[i].first + "=\"" +
                            escape_label_value(sample.labels[i].second) + "\"";
                text += "}";
            }
            text += " " + number_text(sample.value) + "\n";
        }
    }
    return text;
}

} // namespace lokbackup
