#include "core/backup/drill_conninfo.hpp"
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

namespace lokbackup
{
namespace
{

TEST(DrillConninfo, ReadsTheKeywordsADrillUses)
{
    DrillConninfo conninfo =
        parse_drill_conninfo("  host=drills.example.com port = 5433 user=drill password='s "
                             "e\\'cr\\\\et' dbname=scratch");
    EXPECT_EQ(conninfo.host, "drills.example.com");
    EXPECT_EQ(conninfo.port, "5433");
    EXPECT_EQ(conninfo.user, "drill");
    EXPECT_EQ(conninfo.password, "s e'cr\\et");
    EXPECT_EQ(conninfo.dbname, "scratch");
    EXPECT_EQ(parse_drill_conninfo("host=/tmp").dbname, "postgres");
}

TEST(DrillConninfo, ErrorsNameWhatIsWrongAndNeverAValue)
{
    auto error = [](const std::string &text) {
        return test::error_message([&] { parse_drill_conninfo(text); });
    };
    EXPECT_NE(error("postgresql://u:hunter2@db/x").find("not a URI"), std::string::npos);
    EXPECT_EQ(error("postgresql://u:hunter2@db/x").find("hunter2"), std::string::npos);
    EXPECT_NE(error("host=db sslmode=require").find("\"sslmode\" is not supported"),
              std::string::npos);
    EXPECT_EQ(error("host=db hunter2").find("hunter2"), std::string::npos);
    EXPECT_NE(error("host=db hunter2").find("not followed by \"=\""), std::string::npos);
    EXPECT_EQ(error("password='hunter2").find("hunter2"), std::string::npos);
    EXPECT_NE(error("password='hunter2").find("no closing quote"), std::string::npos);
}

} // namespace
} // namespace lokbackup
