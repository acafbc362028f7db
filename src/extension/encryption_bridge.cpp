#include "extension/encryption_bridge.hpp"

#include "core/base/text.hpp"
#include "core/crypto/backup_encryption.hpp"
#include "extension/boundary.hpp"
#include "extension/settings.hpp"

namespace lokbackup::pg
{

char *encrypted_to_in_force()
{
    return core_call([]() -> char * {
        std::vector<std::string> fingerprints = encryption_fingerprints(encryption_settings());
        if (fingerprints.empty())
            return nullptr;
        // Hex digits and "passphrase": nothing to quote in an array literal.
        return palloc_string("{" + joined(fingerprints, ",") + "}");
    });
}

} // namespace lokbackup::pg
