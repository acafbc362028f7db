#include "core/base/error.hpp"
#include "core/s3/credentials_file.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace lokbackup
{
namespace
{

using test::TempDir;

std::string message_of(const std::string &path)
{
    S3Options s3;
    try {
        read_s3_credentials_file(path, s3);
    } catch (const Error &error) {
        return error.what();
    }
    return "";
}

TEST(CredentialsFile, WrittenThenReadGivesTheKeys)
{
    TempDir directory;
    std::string path = (directory.path() / "keys.env").string();
    S3Options written;
    written.access_key_id = "AKIDEXAMPLE";
    written.secret_access_key = "wJalr/XUtnFEMI=K7MDENG";
    write_s3_credentials_file(path, written);
    struct stat status {
    };
    ASSERT_EQ(::stat(path.c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 0777, 0600u);
    S3Options read;
    read.session_token = "from the environment";
    read_s3_credentials_file(path, read);
    EXPECT_EQ(read.access_key_id, "AKIDEXAMPLE");
    EXPECT_EQ(read.secret_access_key, "wJalr/XUtnFEMI=K7MDENG");
    EXPECT_EQ(read.session_token, "from the environment");
    // Never over an existing file.
    EXPECT_THROW(write_s3_credentials_file(path, written), Error);
}

TEST(CredentialsFile, RefusesAFileOthersMayReadAndSaysHowToFixIt)
{
    TempDir directory;
    std::string path = (directory.path() / "keys.env").string();
    test::write_file(path, "AWS_SECRET_ACCESS_KEY=secret\n");
    for (mode_t mode : {0640, 0604, 0620}) {
        ::chmod(path.c_str(), mode);
        std::string message = message_of(path);
        EXPECT_NE(message.find("group or others may read or change it"), std::string::npos)
            << message;
        EXPECT_NE(message.find("chmod 600"), std::string::npos);
        EXPECT_EQ(message.find("secret\n"), std::string::npos);
    }
    ::chmod(path.c_str(), 0400);
    EXPECT_EQ(message_of(path), "");
}

TEST(CredentialsFile, RefusesSymlinksAndDirectories)
{
    TempDir directory;
    std::string target = (directory.path() / "target").string();
    test::write_file(target, "AWS_ACCESS_KEY_ID=x\n");
    ::chmod(target.c_str(), 0600);
    std::string link = (directory.path() / "link").string();
    ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
    EXPECT_NE(message_of(link), "");
    EXPECT_NE(message_of(directory.path().string()), "");
    EXPECT_NE(message_of((directory.path() / "missing").string()), "");
}

TEST(CredentialsFile, NamesTheBadLineWithoutQuotingIt)
{
    TempDir directory;
    std::string path = (directory.path() / "keys.env").string();
    test::write_file(path, "# keys\n\nAWS_ACCESS_KEY_ID=id\nAWS_SECRET_ACESS_KEY=hunter2\n");
    ::chmod(path.c_str(), 0600);
    std::string message = message_of(path);
    EXPECT_NE(message.find("line 4"), std::string::npos) << message;
    EXPECT_NE(message.find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
    EXPECT_EQ(message.find("hunter2"), std::string::npos);
}

} // namespace
} // namespace lokbackup
