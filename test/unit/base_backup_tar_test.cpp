#include "core/base/error.hpp"
#include "core/wal/base_backup_tar.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace lokbackup
{
namespace
{

constexpr std::uint64_t mib16 = 16 * 1024 * 1024;

// As PostgreSQL 15 writes them.
const std::string label = "START WAL LOCATION: 0/5000028 (file 000000010000000000000005)\n"
                          "CHECKPOINT LOCATION: 0/5000060\n"
                          "BACKUP METHOD: streamed\n"
                          "BACKUP FROM: primary\n"
                          "START TIME: 2026-12-03 22:30:00 UTC\n"
                          "LABEL: lokbackup base backup 3\n"
                          "START TIMELINE: 1\n";
const std::string manifest_end =
    "],\n\"WAL-Ranges\": [\n"
    "{ \"Timeline\": 1, \"Start-LSN\": \"0/5000028\", \"End-LSN\": \"0/5000100\" }\n"
    "],\n\"Manifest-Checksum\": \"ab\"}\n";

// One ustar member: a header (name, octal size, the checksum left blank: the scanner does not
// read it) and the data padded to whole blocks.
std::string member(const std::string &name, const std::string &data)
{
    std::string header(512, '\0');
    header.replace(0, name.size(), name);
    char size[13];
    std::snprintf(size, sizeof size, "%011o", static_cast<unsigned>(data.size()));
    header.replace(124, 11, size);
    header.replace(257, 5, "ustar");
    std::string padded = data + std::string((512 - data.size() % 512) % 512, '\0');
    return header + padded;
}

std::string base_tar(const std::string &manifest_body)
{
    return member("backup_label", label) + member("global/pg_control", std::string(8192, 'c')) +
           member("base/1/1259", std::string(700, 'r')) + member("backup_manifest", manifest_body) +
           std::string(1024, '\0');
}

TEST(BaseBackupTar, ReadsTheWalRangeFromLabelAndManifest)
{
    WalRange range = base_backup_wal_range(label, manifest_end, mib16);
    EXPECT_EQ(range.timeline, 1);
    EXPECT_EQ(range.start_lsn, "0/5000028");
    EXPECT_EQ(range.stop_lsn, "0/5000100");
    EXPECT_EQ(range.start_wal_file, "000000010000000000000005");
}

TEST(BaseBackupTar, FollowsTheStreamInPiecesOfAnySize)
{
    // A manifest far bigger than the tail kept: its ranges are at its end.
    std::string manifest = "{\"Files\": [" + std::string(100000, ' ') + manifest_end;
    std::string tar = base_tar(manifest);
    for (std::size_t piece : {1u, 7u, 512u, 4096u, 1000000u}) {
        BaseBackupTarScanner scanner;
        for (std::size_t at = 0; at < tar.size(); at += piece)
            scanner.write(tar.data() + at, std::min(piece, tar.size() - at));
        WalRange range = scanner.wal_range(mib16);
        EXPECT_EQ(range.start_lsn, "0/5000028") << piece;
        EXPECT_EQ(range.stop_lsn, "0/5000100") << piece;
    }
}

TEST(BaseBackupTar, TakesTheLastEndOfRangesAcrossTimelines)
{
    std::string label_on_2 = label;
    label_on_2.replace(label_on_2.find("TIMELINE: 1"), 11, "TIMELINE: 2");
    std::string ranges = "\"WAL-Ranges\": [\n"
                         "{ \"Timeline\": 3, \"Start-LSN\": \"1/0\", \"End-LSN\": \"1/20\" },\n"
                         "{ \"Timeline\": 2, \"Start-LSN\": \"0/5000028\", \"End-LSN\": \"1/0\" }\n"
                         "]}";
    WalRange range = base_backup_wal_range(label_on_2, ranges, mib16);
    EXPECT_EQ(range.timeline, 2);
    EXPECT_EQ(range.stop_lsn, "1/20");
    EXPECT_EQ(range.start_wal_file, "000000020000000000000005");
}

TEST(BaseBackupTar, RefusesWhatIsMissingOrMalformed)
{
    auto message = [](const std::string &label_text, const std::string &manifest) {
        try {
            base_backup_wal_range(label_text, manifest, mib16);
        } catch (const Error &error) {
            return std::string(error.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message("START TIMELINE: 1\n", manifest_end).find("no \"START WAL LOCATION\""),
              std::string::npos);
    EXPECT_NE(message("START WAL LOCATION: 0/5000028 (file x)\n", manifest_end)
                  .find("no \"START TIMELINE\""),
              std::string::npos);
    EXPECT_NE(message("START WAL LOCATION: 0/50Z0028 (file x)\nSTART TIMELINE: 1\n", manifest_end)
                  .find("is not an LSN"),
              std::string::npos);
    EXPECT_NE(message("START WAL LOCATION: 0/5000028 (file x)\nSTART TIMELINE: 0\n", manifest_end)
                  .find("is not a timeline"),
              std::string::npos);
    EXPECT_NE(message(label, "{\"Files\": []}").find("no WAL-Ranges"), std::string::npos);
    EXPECT_NE(message(label, "\"End-LSN\": \"0/4000000\"").find("before its start"),
              std::string::npos);

    BaseBackupTarScanner without_manifest;
    std::string tar = member("backup_label", label) + std::string(1024, '\0');
    without_manifest.write(tar.data(), tar.size());
    EXPECT_THROW(without_manifest.wal_range(mib16), Error);
    BaseBackupTarScanner empty;
    EXPECT_THROW(empty.wal_range(mib16), Error);
}

} // namespace
} // namespace lokbackup
