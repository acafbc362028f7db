#include "core/base/prometheus_text.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

TEST(PrometheusTextTest, FamiliesWithHelpTypeAndSamples)
{
    std::vector<MetricFamily> families = {
        {"lokbackup_last_success_timestamp_seconds",
         "When the newest completed backup finished.",
         "gauge",
         {{{{"database", "app"}}, 1764650096}, {{{"database", "(roles)"}}, 1764650095.5}}},
        {"lokbackup_up", "Whether the catalog answered.", "gauge", {{{}, 1}}},
    };
    EXPECT_EQ(prometheus_text(families),
              "# HELP lokbackup_last_success_timestamp_seconds When the newest completed backup "
              "finished.\n"
              "# TYPE lokbackup_last_success_timestamp_seconds gauge\n"
              "lokbackup_last_success_timestamp_seconds{database=\"app\"} 1764650096\n"
              "lokbackup_last_success_timestamp_seconds{database=\"(roles)\"} 1764650095.5\n"
              "# HELP lokbackup_up Whether the catalog answered.\n"
              "# TYPE lokbackup_up gauge\n"
              "lokbackup_up 1\n");
}

TEST(PrometheusTextTest, LabelValuesCannotForgeSamples)
{
    EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    std::vector<MetricFamily> families = {
        {"m", "h", "gauge", {{{{"database", "x\"} 1\nlokbackup_backup_late{database=\"y"}}, 0}}}};
    EXPECT_EQ(prometheus_text(families),
              "# HELP m h\n# TYPE m gauge\n"
              "m{database=\"x\\\"} 1\\nlokbackup_backup_late{database=\\\"y\"} 0\n");
}

TEST(PrometheusTextTest, HelpEscapesBackslashAndLineFeed)
{
    EXPECT_EQ(prometheus_text({{"m", "a\\b\nc \"quoted\"", "counter", {}}}),
              "# HELP m a\\\\b\\nc \"quoted\"\n# TYPE m counter\n");
}

TEST(PrometheusTextTest, LargeAndFractionalNumbers)
{
    EXPECT_EQ(prometheus_text({{"m", "h", "gauge", {{{}, 123456789012.0}, {{}, 0.25}, {{}, -3}}}}),
              "# HELP m h\n# TYPE m gauge\nm 123456789012\nm 0.25\nm -3\n");
}

} // namespace
} // namespace lokbackup
