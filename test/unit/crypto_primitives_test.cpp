// The encodings and OpenSSL primitives under the age format, against published vectors.
#include "core/crypto/base64_unpadded.hpp"
#include "core/crypto/bech32.hpp"
#include "core/crypto/chacha20_poly1305.hpp"
#include "core/crypto/key_derivation.hpp"
#include "core/crypto/secret_bytes.hpp"
#include "core/crypto/x25519.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

using test::error_message;

std::string from_hex(std::string_view hex)
{
    std::string bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        bytes += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    return bytes;
}

TEST(Base64Unpadded, EncodesWithoutPadding)
{
    EXPECT_EQ(encode_base64_unpadded(""), "");
    EXPECT_EQ(encode_base64_unpadded("f"), "Zg");
    EXPECT_EQ(encode_base64_unpadded("fo"), "Zm8");
    EXPECT_EQ(encode_base64_unpadded("foo"), "Zm9v");
    EXPECT_EQ(encode_base64_unpadded("foob"), "Zm9vYg");
    EXPECT_EQ(encode_base64_unpadded(std::string("\xfb\xff", 2)), "+/8");
    EXPECT_EQ(base64_unpadded_size(32), 43u);
    EXPECT_EQ(encode_base64_unpadded(std::string(32, 'x')).size(), 43u);
}

TEST(Base64Unpadded, RoundTripsEveryLength)
{
    std::string bytes = test::mixed_data(200, 7);
    for (std::size_t size = 0; size <= bytes.size(); ++size) {
        std::string text = encode_base64_unpadded(bytes.substr(0, size));
        EXPECT_EQ(decode_base64_unpadded(text), bytes.substr(0, size)) << size;
    }
}

TEST(Base64Unpadded, RefusesWhatIsNotCanonical)
{
    EXPECT_FALSE(decode_base64_unpadded("Zg=="));  // padding
    EXPECT_FALSE(decode_base64_unpadded("Zh"));    // unused bits not zero
    EXPECT_FALSE(decode_base64_unpadded("Zm9"));   // canonical is Zm8
    EXPECT_FALSE(decode_base64_unpadded("Zm9vY")); // 4k+1 characters
    EXPECT_FALSE(decode_base64_unpadded("Zm 9v")); // a space
    EXPECT_FALSE(decode_base64_unpadded("Zm-_"));  // the URL alphabet
    EXPECT_EQ(decode_base64_unpadded("Zm8"), "fo");
}

TEST(Bech32, DecodesBip173ValidStrings)
{
    Bech32Text empty = decode_bech32("A12UEL5L");
    EXPECT_EQ(empty.hrp, "a");
    EXPECT_EQ(empty.data.size(), 0u);
    Bech32Text all = decode_bech32("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw");
    EXPECT_EQ(all.hrp, "abcdef");
    // The 32 characters in order are the 5-bit values 0 to 31.
    EXPECT_EQ(all.data.view(), from_hex("00443214c74254b635cf84653a56d7c675be77df"));
    EXPECT_EQ(encode_bech32("abcdef", all.data.view()),
              "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw");
}

TEST(Bech32, RefusesBip173InvalidStrings)
{
    EXPECT_EQ(error_message([] { decode_bech32("pzry9x8gf2tvdw0s3jn54khce6mua7l"); }),
              "it has no type before a '1' separator");
    EXPECT_EQ(error_message([] { decode_bech32("x1b4n0q5v"); }),
              "its character 3 is not one that bech32 uses (1, b, i and o never occur after the "
              "separator)");
    EXPECT_EQ(error_message([] { decode_bech32("li1dgmt3"); }), "it is too short");
    EXPECT_EQ(error_message([] { decode_bech32("A1G7SGD8"); }),
              "its checksum does not match (a character is mistyped, missing or extra)");
    EXPECT_EQ(error_message([] { decode_bech32("abcdef1Qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw"); }),
              "it mixes upper and lower case");
    EXPECT_EQ(error_message([] { decode_bech32("a 1qqqqqq"); }),
              "it has a space or a character outside printable ASCII");
}

TEST(X25519, Rfc7748KeyAgreement)
{
    SecretBytes alice(from_hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    SecretBytes bob(from_hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
    EXPECT_EQ(x25519_public_key(alice),
              from_hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
    std::string bob_public = x25519_public_key(bob);
    EXPECT_EQ(bob_public,
              from_hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"));
    std::optional<SecretBytes> shared = x25519_shared_secret(alice, bob_public);
    ASSERT_TRUE(shared);
    EXPECT_EQ(shared->view(),
              from_hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"));
}

TEST(X25519, LowOrderPeerGivesNoSharedSecret)
{
    SecretBytes secret = SecretBytes::random(32);
    EXPECT_FALSE(x25519_shared_secret(secret, std::string(32, '\0')));
    // 1 is a point of order 4.
    EXPECT_FALSE(x25519_shared_secret(secret, std::string("\x01") + std::string(31, '\0')));
}

TEST(Hkdf, Rfc5869TestCases)
{
    // Test case 1, its output cut to the 32 bytes that the function gives.
    SecretBytes key(from_hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"));
    EXPECT_EQ(
        hkdf_sha256(key, from_hex("000102030405060708090a0b0c"), from_hex("f0f1f2f3f4f5f6f7f8f9"))
            .view(),
        from_hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"));
    // Test case 3: no salt, no info.
    EXPECT_EQ(hkdf_sha256(key, "", "").view(),
              from_hex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"));
}

TEST(HmacSha256, Rfc4231TestCase2)
{
    EXPECT_EQ(hmac_sha256("Jefe", "what do ya want for nothing?"),
              from_hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
}

TEST(ChaCha20Poly1305, SealsAndOpensInPlace)
{
    ChaCha20Poly1305 aead(SecretBytes::random(32));
    unsigned char nonce[12] = {1, 2, 3};
    std::string text = "attack at dawn";
    std::string sealed = text + std::string(16, '\0');
    auto *bytes = reinterpret_cast<unsigned char *>(sealed.data());
    aead.seal(nonce, bytes, text.size(), bytes);
    EXPECT_NE(sealed.substr(0, text.size()), text);

    std::string opened(text.size(), '\0');
    auto *out = reinterpret_cast<unsigned char *>(opened.data());
    ASSERT_TRUE(aead.open(nonce, bytes, sealed.size(), out));
    EXPECT_EQ(opened, text);

    nonce[11] = 1;
    EXPECT_FALSE(aead.open(nonce, bytes, sealed.size(), out)) << "another nonce";
    nonce[11] = 0;
    sealed[3] ^= 1;
    EXPECT_FALSE(aead.open(nonce, bytes, sealed.size(), out)) << "a flipped bit";
    EXPECT_FALSE(aead.open(nonce, bytes, 15, out)) << "shorter than a tag";
}

TEST(SecretBytes, RandomBytesDiffer)
{
    EXPECT_NE(SecretBytes::random(16).view(), SecretBytes::random(16).view());
    SecretBytes copy = SecretBytes::random(32);
    SecretBytes other(copy);
    EXPECT_EQ(copy.view(), other.view());
    other = SecretBytes(4);
    EXPECT_EQ(other.size(), 4u);
}

} // namespace
} // namespace lokbackup
