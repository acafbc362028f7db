#include "core/storage/storage_scan.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

using test::error_message;

TEST(StorageScan, RequestRoundTripsWithItsS3Settings)
{
    StorageScanRequest request{"s3://bucket/prefix", {}};
    request.s3.endpoint = "http://127.0.0.1:9000";
    request.s3.path_style = true;
    request.s3.secret_access_key = "secret";
    StorageScanRequest parsed =
        storage_scan_request_from_json(storage_scan_request_to_json(request));
    EXPECT_EQ(parsed.storage, request.storage);
    EXPECT_EQ(parsed.s3.endpoint, request.s3.endpoint);
    EXPECT_TRUE(parsed.s3.path_style);
    EXPECT_EQ(parsed.s3.secret_access_key, "secret");
}

TEST(StorageScan, ResultsRoundTripOnOneLine)
{
    StorageScanResult listed{true, 9007199254740993, 12, ""};
    std::string line = storage_scan_result_to_json(listed);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    StorageScanResult parsed = storage_scan_result_from_json(line);
    EXPECT_TRUE(parsed.ok);
    EXPECT_EQ(parsed.highest_id, listed.highest_id);
    EXPECT_EQ(parsed.keys, 12u);

    StorageScanResult failed{false, 0, 0, "cannot list /x:\nPermission denied"};
    parsed = storage_scan_result_from_json(storage_scan_result_to_json(failed));
    EXPECT_FALSE(parsed.ok);
    EXPECT_EQ(parsed.error, failed.error);
}

TEST(StorageScan, AnUnknownResultIsAnError)
{
    EXPECT_EQ(error_message([] { storage_scan_result_from_json(R"({"result": "maybe"})"); }),
              "storage scan result: unknown result \"maybe\"");
}

} // namespace
} // namespace lokbackup
