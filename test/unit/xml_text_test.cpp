// The parts of xml_text.hpp that S3StorageTest's listing (s3_storage_test.cpp) does not reach.
#include "core/s3/xml_text.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

using Values = std::vector<std::string>;

TEST(XmlText, CharacterReferencesBecomeUtf8)
{
    // One, two, three and four UTF-8 bytes: A, e acute, euro sign, an emoji.
    EXPECT_EQ(xml_value("<Key>&#65;&#xe9;&#8364;&#x1F600;</Key>", "Key"),
              "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    EXPECT_EQ(xml_value("<Key>&quot;&apos;</Key>", "Key"), "\"'");
}

TEST(XmlText, MalformedReferencesStayAsWritten)
{
    for (std::string text : {"&#;", "&#x;", "&#12a;", "&#x110000;", "&#65", "& lone", "&"})
        EXPECT_EQ(xml_value("<Key>" + text + "</Key>", "Key"), text) << text;
}

TEST(XmlText, ElementsWhoseNameOnlyStartsTheSameAreOthers)
{
    std::string xml = "<Uploads><UploadId>u1</UploadId><Upload>\n<Key>a</Key></Upload>"
                      "<Upload\t><Key>b</Key></Upload></Uploads>";
    EXPECT_EQ(xml_values(xml, "UploadId"), Values{"u1"});
    ASSERT_EQ(xml_elements(xml, "Upload").size(), 2u);
    EXPECT_EQ(xml_value(std::string(xml_elements(xml, "Upload")[1]), "Key"), "b");
}

TEST(XmlText, UnclosedElementsEndTheSearch)
{
    EXPECT_EQ(xml_values("<Key>a</Key><Key>b", "Key"), Values{"a"});
    EXPECT_EQ(xml_values("<Key>a</Key><Key", "Key"), Values{"a"});
    EXPECT_EQ(xml_value("", "Key"), "");
}

TEST(XmlText, RootNameSkipsDeclarationAndComments)
{
    EXPECT_EQ(xml_root_name("<?xml version=\"1.0\"?><!-- note --><Error><Code/></Error>"), "Error");
    EXPECT_EQ(xml_root_name("<Error/>"), "Error");
    EXPECT_EQ(xml_root_name("<Error"), "Error");
    EXPECT_EQ(xml_root_name("<?xml version=\"1.0\"?>"), "");
}

TEST(XmlText, EscapedTextReadsBack)
{
    std::string text = "a < b && c > \"d\"";
    EXPECT_EQ(xml_value("<Key>" + xml_escape(text) + "</Key>", "Key"), text);
}

} // namespace
} // namespace lokbackup
