#include "core/base/json_document.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <climits>

namespace lokbackup
{
namespace
{

using test::error_message;

TEST(JsonDocument, ReadsFieldsOfEachType)
{
    JsonReader json("manifest", R"({"name": "app", "id": -42, "size": 18446744073709551615,
                                    "level": 19, "ok": true, "none": null})");
    EXPECT_EQ(json.string("name"), "app");
    EXPECT_EQ(json.int64("id"), -42);
    EXPECT_EQ(json.uint64("size"), UINT64_MAX);
    EXPECT_EQ(json.integer("level"), 19);
    EXPECT_TRUE(json.boolean("ok"));
    ASSERT_NE(json.optional_field("name"), nullptr);
    EXPECT_EQ(*json.optional_field("name"), "app");
    EXPECT_EQ(json.optional_field("none"), nullptr);
    EXPECT_EQ(json.optional_field("absent"), nullptr);
}

TEST(JsonDocument, MissingOrMistypedFieldsAreNamed)
{
    JsonReader json("manifest", R"({"name": 7, "id": "7", "size": -1, "ok": "yes"})");
    EXPECT_EQ(error_message([&] { json.string("name"); }),
              "manifest: field \"name\" is missing or not a string");
    EXPECT_EQ(error_message([&] { json.string("absent"); }),
              "manifest: field \"absent\" is missing or not a string");
    EXPECT_EQ(error_message([&] { json.int64("id"); }),
              "manifest: field \"id\" is missing or not an integer");
    EXPECT_EQ(error_message([&] { json.uint64("size"); }),
              "manifest: field \"size\" is missing or not a non-negative integer");
    EXPECT_EQ(error_message([&] { json.boolean("ok"); }),
              "manifest: field \"ok\" is missing or not a boolean");
}

TEST(JsonDocument, FractionsAreNotIntegers)
{
    JsonReader json("manifest", R"({"size": 1.5})");
    EXPECT_EQ(error_message([&] { json.int64("size"); }),
              "manifest: field \"size\" is missing or not an integer");
    EXPECT_EQ(error_message([&] { json.uint64("size"); }),
              "manifest: field \"size\" is missing or not a non-negative integer");
}

TEST(JsonDocument, IntegersOutOfRangeAreRefused)
{
    std::string above_int = std::to_string(std::int64_t(INT_MAX) + 1);
    std::string below_int = std::to_string(std::int64_t(INT_MIN) - 1);
    JsonReader json("request", R"({"big": 9223372036854775808, "max": 9223372036854775807,
                                  "above": )" +
                                   above_int + R"(, "below": )" + below_int + R"(, "int_min": )" +
                                   std::to_string(INT_MIN) + "}");
    EXPECT_EQ(error_message([&] { json.int64("big"); }), "request: field \"big\" is out of range");
    EXPECT_EQ(json.int64("max"), INT64_MAX);
    EXPECT_EQ(error_message([&] { json.integer("above"); }),
              "request: field \"above\" is out of range");
    EXPECT_EQ(error_message([&] { json.integer("below"); }),
              "request: field \"below\" is out of range");
    EXPECT_EQ(json.integer("int_min"), INT_MIN);
}

TEST(JsonDocument, TextThatIsNotOneObjectIsRefused)
{
    for (std::string text : {"[1, 2]", "\"manifest\"", "42", "null"})
        EXPECT_EQ(error_message([&] { JsonReader("manifest", text); }),
                  "manifest: not a JSON object")
            << text;
    std::string truncated = error_message([] { JsonReader("manifest", R"({"id": 4)"); });
    EXPECT_EQ(truncated.rfind("manifest: invalid JSON: ", 0), 0u) << truncated;
    // nlohmann's "[json.exception.parse_error.101]" is left out.
    EXPECT_EQ(truncated.find("json.exception"), std::string::npos) << truncated;
}

TEST(JsonDocument, EnumerationErrorsNameTheField)
{
    JsonReader json("manifest", R"({"format": "tar", "ok": "plain"})");
    auto parse = [](const std::string &name) {
        if (name != "plain")
            throw InvalidValue("invalid format \"" + name + "\"");
        return 1;
    };
    EXPECT_EQ(json.enumeration("ok", parse), 1);
    EXPECT_EQ(error_message([&] { json.enumeration("format", parse); }),
              "manifest: field \"format\": invalid format \"tar\"");
}

TEST(JsonDocument, WrittenTextKeepsTheFieldOrderAndReadsBack)
{
    Json json = {{"zeta", 1}, {"alpha", "caf\xc3\xa9"}, {"quote", "a\"b\\c\n"}};
    std::string text = json_text("manifest", json);
    EXPECT_LT(text.find("zeta"), text.find("alpha"));
    EXPECT_EQ(text.find('\n'), std::string::npos);
    JsonReader back("manifest", text);
    EXPECT_EQ(back.integer("zeta"), 1);
    EXPECT_EQ(back.string("alpha"), "caf\xc3\xa9");
    EXPECT_EQ(back.string("quote"), "a\"b\\c\n");
    EXPECT_NE(json_text("manifest", json, 2).find("\n  \"alpha\""), std::string::npos);
}

TEST(JsonDocument, TextThatIsNotUtf8NamesTheDocument)
{
    Json json = {{"error", "caf\xe9"}};
    std::string message = error_message([&] { json_text("backup event", json); });
    EXPECT_EQ(message.rfind("backup event: ", 0), 0u) << message;
    EXPECT_NE(message.find("UTF-8"), std::string::npos) << message;
}

} // namespace
} // namespace lokbackup
