// Reading a small object (a manifest) whole, with a bound: storage may hold anything under a
// manifest's name.
#pragma once

#include "core/storage/storage.hpp"

#include <string>

namespace lokbackup
{

// The whole of a small object such as a manifest; `what` names it in errors.
std::string read_small_object(ObjectReader &reader, const std::string &what);

} // namespace lokbackup
