// Where restore and verify read a backup: the `location` that the catalog or a manifest gives.
// Only absolute paths (the local driver) for now; an https URL will get a reader of its own here.
#pragma once

#include "core/storage.hpp"

#include <memory>
#include <string>

namespace lokbackup::cli
{

std::unique_ptr<ObjectReader> open_location(const std::string &location);

// The whole of a small object such as a manifest; `what` names it in errors.
std::string read_small_object(ObjectReader &reader, const std::string &what);

} // namespace lokbackup::cli
