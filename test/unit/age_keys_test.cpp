#include "core/crypto/age_keys.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

using test::error_message;

// The X25519 example of the age spec (C2SP age.md).
constexpr const char *spec_identity =
    "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";
constexpr const char *spec_recipient =
    "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";
constexpr const char *hint = " (an X25519 recipient looks like age1 followed by 58 characters)";

TEST(AgeKeys, SpecExampleIdentityGivesItsRecipient)
{
    AgeIdentity identity = AgeIdentity::parse(spec_identity);
    EXPECT_EQ(identity.recipient().encoded(), spec_recipient);
    EXPECT_EQ(identity.encoded(), spec_identity);
    EXPECT_EQ(identity.secret_key().view(), std::string(32, '\x42'));
    EXPECT_EQ(AgeRecipient::parse(spec_recipient), identity.recipient());
}

TEST(AgeKeys, StockKeyFileNamesItsPublicKey)
{
    std::string text = test::read_file(LOKBACKUP_AGE_VECTORS_DIR "/key.txt");
    std::vector<AgeIdentity> identities = parse_age_identity_file(text);
    ASSERT_EQ(identities.size(), 1u);
    std::string public_key_line = "# public key: " + identities[0].recipient().encoded() + "\n";
    EXPECT_NE(text.find(public_key_line), std::string::npos) << text;
}

TEST(AgeKeys, GeneratedIdentitiesRoundTrip)
{
    AgeIdentity identity = AgeIdentity::generate();
    EXPECT_EQ(identity.encoded().rfind("AGE-SECRET-KEY-1", 0), 0u);
    EXPECT_EQ(identity.encoded().size(), 74u);
    AgeIdentity again = AgeIdentity::parse(identity.encoded());
    EXPECT_EQ(again.secret_key().view(), identity.secret_key().view());
    EXPECT_EQ(again.recipient(), identity.recipient());
    EXPECT_EQ(identity.recipient().encoded().size(), 62u);
    EXPECT_FALSE(AgeIdentity::generate().recipient() == identity.recipient());
}

TEST(AgeKeys, RecipientsInUpperCaseAreTheSame)
{
    std::string upper = spec_recipient;
    for (char &c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(AgeRecipient::parse(upper).encoded(), spec_recipient);
}

TEST(AgeKeys, BadRecipientsSayWhatIsWrong)
{
    auto message = [](std::string text) {
        return error_message([&] { AgeRecipient::parse(text); });
    };
    std::string typo = spec_recipient;
    typo[10] = typo[10] == 'q' ? 'p' : 'q';
    EXPECT_EQ(message(typo), "invalid age recipient \"" + typo +
                                 "\": its checksum does not match (a character is mistyped, "
                                 "missing or extra)" +
                                 hint);
    std::string shorter = std::string(spec_recipient).substr(0, 61);
    EXPECT_EQ(message(shorter), "invalid age recipient \"" + shorter +
                                    "\": it has 57 characters after age1, not 58" + hint);
    EXPECT_EQ(message("bob@example.com"),
              "invalid age recipient \"bob@example.com\": it does not start with age1" +
                  std::string(hint));
    EXPECT_EQ(message(""), "invalid age recipient \"\": it is empty" + std::string(hint));
    std::string with_b = std::string(spec_recipient).replace(20, 1, "b");
    EXPECT_EQ(message(with_b), "invalid age recipient \"" + with_b +
                                   "\": its character 21 is not one that bech32 uses (1, b, i "
                                   "and o never occur after the separator)" +
                                   hint);
    EXPECT_EQ(message("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"),
              "invalid age recipient \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\": SSH keys are not "
              "supported, only age X25519 recipients" +
                  std::string(hint));
    EXPECT_EQ(message("age1yubikey1qwt50d05nh5vutpdzmlg5wn80xq5negm4uj9ghv0snvdd3yysf5yw3rhl3t"),
              "invalid age recipient "
              "\"age1yubikey1qwt50d05nh5vutpdzmlg5wn80xq5negm4uj9ghv0snvdd3yysf5yw3rhl3t\": it is "
              "a recipient of type age1yubikey (an age plugin's or post-quantum key), and only "
              "X25519 recipients are supported" +
                  std::string(hint));
    std::string mixed = spec_recipient;
    mixed[5] = static_cast<char>(std::toupper(mixed[5]));
    EXPECT_EQ(message(mixed),
              "invalid age recipient \"" + mixed + "\": it mixes upper and lower case" + hint);
}

TEST(AgeKeys, SecretKeyGivenAsRecipientIsNotQuoted)
{
    std::string message = error_message([] { AgeRecipient::parse(spec_identity); });
    EXPECT_EQ(message, "invalid age recipient: it is an identity, a secret key, where a recipient "
                       "(its public key, which `age-keygen -y KEYFILE` prints) belongs" +
                           std::string(hint));
    EXPECT_EQ(message.find("GFPYYSJZ"), std::string::npos);
}

TEST(AgeKeys, RecipientListsTakeCommasAndWhiteSpace)
{
    std::string a = AgeIdentity::generate().recipient().encoded();
    std::string b = AgeIdentity::generate().recipient().encoded();
    std::string c = AgeIdentity::generate().recipient().encoded();
    for (const std::string &list : {a + "," + b + "," + c, a + ", " + b + " ,\t" + c,
                                    a + " " + b + "\n" + c, " " + a + "," + b + " " + c + " "}) {
        std::vector<AgeRecipient> recipients = parse_age_recipients(list);
        ASSERT_EQ(recipients.size(), 3u) << list;
        EXPECT_EQ(recipients[0].encoded(), a);
        EXPECT_EQ(recipients[1].encoded(), b);
        EXPECT_EQ(recipients[2].encoded(), c);
    }
    EXPECT_EQ(parse_age_recipients(spec_recipient).size(), 1u);
}

TEST(AgeKeys, RecipientListsRefuseEmptyItemsAndRepeats)
{
    std::string a = spec_recipient;
    std::string empty_item = "invalid list of age recipients: an item is empty (two commas in a "
                             "row, or a comma at an end); separate recipients with commas or "
                             "spaces";
    EXPECT_EQ(error_message([&] { parse_age_recipients(a + ",," + a); }), empty_item);
    EXPECT_EQ(error_message([&] { parse_age_recipients(a + ","); }), empty_item);
    EXPECT_EQ(error_message([&] { parse_age_recipients(", " + a); }), empty_item);
    EXPECT_EQ(error_message([&] { parse_age_recipients(" \t"); }),
              "no age recipient given" + std::string(hint));
    EXPECT_EQ(error_message([&] { parse_age_recipients(a + " " + a); }),
              "invalid list of age recipients: " + a + " is given twice");
    EXPECT_EQ(error_message([&] { parse_age_recipients(a + ",age1x"); }),
              "invalid age recipient \"age1x\": it has 1 characters after age1, not 58" +
                  std::string(hint));
}

TEST(AgeKeys, IdentityFilesSkipCommentsAndBlankLines)
{
    AgeIdentity first = AgeIdentity::generate();
    AgeIdentity second = AgeIdentity::generate();
    std::string text =
        "# created: 2026-12-03T13:14:52Z\r\n# public key: " + first.recipient().encoded() + "\r\n" +
        first.encoded() + "\r\n\n   \n# another\n  " + second.encoded() + "  ";
    std::vector<AgeIdentity> identities = parse_age_identity_file(text);
    ASSERT_EQ(identities.size(), 2u);
    EXPECT_EQ(identities[0].recipient(), first.recipient());
    EXPECT_EQ(identities[1].recipient(), second.recipient());
}

TEST(AgeKeys, BadIdentityLinesAreNamedByNumberNotContent)
{
    std::string good = AgeIdentity::generate().encoded();
    std::string typo = good;
    typo[30] = typo[30] == 'Q' ? 'P' : 'Q';
    std::string message =
        error_message([&] { parse_age_identity_file("# key\n" + good + "\n" + typo + "\n"); });
    EXPECT_EQ(message, "line 3 of the identity file is not an age identity: its checksum does "
                       "not match (a character is mistyped, missing or extra) (an X25519 "
                       "identity looks like AGE-SECRET-KEY-1 followed by 58 characters)");
    EXPECT_EQ(message.find(typo.substr(16, 20)), std::string::npos);

    auto reason = [](const std::string &text) {
        std::string message = error_message([&] { AgeIdentity::parse(text); });
        std::size_t hint_start = message.rfind(" (an X25519 identity");
        return message.substr(0, hint_start);
    };
    EXPECT_EQ(reason(spec_recipient), "invalid age identity: it is a recipient, a public key, "
                                      "where an identity (the secret key) belongs");
    EXPECT_EQ(reason("AGE-PLUGIN-YUBIKEY-1QQQQQQQQ"),
              "invalid age identity: it is an age plugin's identity, and only X25519 identities "
              "are supported");
    EXPECT_EQ(
        reason("AGE-SECRET-KEY-PQ-1XX76JRALNLXDMEW0CRK45QMCCH4X06SE84UN3VPM33W6HWDX0H3SK3ZQFR"),
        "invalid age identity: it is an identity of another type (AGE-SECRET-KEY-PQ-1...), "
        "and only X25519 identities are supported");
    EXPECT_EQ(reason("-----BEGIN OPENSSH PRIVATE KEY-----"),
              "invalid age identity: it is an SSH or PEM private key, and only age X25519 "
              "identities are supported");
    EXPECT_EQ(reason("secret"), "invalid age identity: it does not start with AGE-SECRET-KEY-1");
}

TEST(AgeKeys, IdentityFilesWithoutIdentitiesAreRefused)
{
    EXPECT_EQ(error_message([] { parse_age_identity_file("# nothing\n\n"); }),
              "the identity file has no age identity (a line AGE-SECRET-KEY-1...)");
    EXPECT_EQ(error_message([] { parse_age_identity_file("age-encryption.org/v1\n-> scrypt"); }),
              "the identity file is itself age-encrypted (a passphrase-protected identity); "
              "decrypt it with age first");
}

} // namespace
} // namespace lokbackup
