// Metrics in the Prometheus text exposition format (version 0.0.4), as `lokbackup serve` answers
// GET /metrics: for each family a # HELP and a # TYPE line, then its samples,
//   lokbackup_backup_age_seconds{database="app"} 3600
// Label values may hold any bytes a database name can (quotes, backslashes, newlines): they are
// escaped as the format wants, so that a name can never forge a sample or a label.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lokbackup
{

struct MetricSample {
    std::vector<std::pair<std::string, std::string>> labels; // name, value (unescaped)
    double value = 0;
};

struct MetricFamily {
    std::string name; // [a-zA-Z_:][a-zA-Z0-9_:]*, chosen by the program, never by input
    std::string help;
    std::string type; // gauge, counter
    std::vector<MetricSample> samples;
};

// `\` as `\\`, `"` as `\"`, a line feed as `\n`.
std::string escape_label_value(std::string_view value);

// The exposition of the families, in order; lines end with "\n". A value that is a whole number
// is written without a fraction or an exponent (1700000000, not 1.7e+09).
std::string prometheus_text(const std::vector<MetricFamily> &families);

} // namespace lokbackup
