#include "core/backup/drill_request.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

using test::error_message;

TEST(DrillRequest, RoundTrips)
{
    DrillRequest request;
    request.drill_id = 12;
    request.backup_id = 345;
    request.target = "lokbackup_drill_12";
    request.catalog_database = "postgres";
    request.socket_dir = "/var/run/postgresql";
    request.port = 5433;
    request.user = "postgres";
    request.drill_conninfo = "host=drills.example.com password='s e\\'cret'";
    DrillRequest back = drill_request_from_json(drill_request_to_json(request));
    EXPECT_EQ(back.drill_id, 12);
    EXPECT_EQ(back.backup_id, 345);
    EXPECT_EQ(back.target, "lokbackup_drill_12");
    EXPECT_EQ(back.catalog_database, "postgres");
    EXPECT_EQ(back.socket_dir, "/var/run/postgresql");
    EXPECT_EQ(back.port, 5433);
    EXPECT_EQ(back.user, "postgres");
    EXPECT_EQ(back.drill_conninfo, request.drill_conninfo);
}

TEST(DrillRequest, AMissingOrMalformedFieldIsNamed)
{
    EXPECT_NE(error_message([] { drill_request_from_json("{\"drill_id\": 1}"); }).find("backup_id"),
              std::string::npos);
    EXPECT_NE(error_message([] { drill_request_from_json("not json"); }).find("drill request"),
              std::string::npos);
}

} // namespace
} // namespace lokbackup
