// Unpredictable identifiers (session tokens, Message-IDs) from OpenSSL's random generator.
#pragma once

#include <cstddef>
#include <string>

namespace lokbackup
{

// `bytes` random bytes as lower-case hex; throws Error when OpenSSL has no randomness to give.
std::string random_hex(std::size_t bytes);

} // namespace lokbackup
