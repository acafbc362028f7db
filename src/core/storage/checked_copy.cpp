#include "core/storage/checked_copy.hpp"

#include "core/base/error.hpp"
#include "core/pipeline/sha256.hpp"
#include "core/storage/object_key.hpp"

#include <vector>

namespace lokbackup
{

namespace
{

// Read errors and the check both end in abort(): a writer that is destroyed unfinished discards
// what it wrote, but the explicit call says so where it happens.
void copy_object(ObjectReader &object, const CopiedObject &expected, ObjectWriter &writer)
{
    std::vector<char> buffer(1 << 20);
    UnfinishingSink unfinished(writer);
    HashingSink hashing(unfinished);
    while (std::size_t got = object.read(buffer.data(), buffer.size())) {
        hashing.write(buffer.data(), got);
        if (hashing.bytes() > expected.size)
            throw BackupDamaged("the object is larger than the recorded " +
                                std::to_string(expected.size) + " bytes");
    }
    if (hashing.bytes() != expected.size)
        throw BackupDamaged("the object has " + std::to_string(hashing.bytes()) +
                            " bytes, not the recorded " + std::to_string(expected.size));
    std::string sha256 = hashing.hex_digest();
    if (sha256 != expected.sha256)
        throw BackupDamaged("the object has SHA-256 " + sha256 + ", not the recorded " +
                            expected.sha256);
}

} // namespace

void copy_checked(ObjectReader &object, const std::string &manifest, const CopiedObject &expected,
                  Storage &destination)
{
    {
        std::unique_ptr<ObjectWriter> writer = destination.create(expected.object_key);
        try {
            copy_object(object, expected, *writer);
            writer->finish();
        } catch (...) {
            writer->abort();
            throw;
        }
    }
    try {
        std::unique_ptr<ObjectWriter> writer =
            destination.create(manifest_key(expected.object_key));
        writer->write(manifest.data(), manifest.size());
        writer->finish();
    } catch (const Error &error) {
        try {
            destination.remove(expected.object_key);
        } catch (const Error &removal) {
            throw_like(error, std::string(error.what()) +
                                  " (and then, removing the copied object " + expected.object_key +
                                  ": " + removal.what() + ")");
        }
        throw;
    }
}

} // namespace lokbackup
