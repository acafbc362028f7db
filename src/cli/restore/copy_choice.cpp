#include "cli/restore/copy_choice.hpp"

#include "core/base/error.hpp"

namespace lokbackup::cli
{

std::string describe_copy(const BackupCopy &copy)
{
    return (copy.destination == "primary" ? "the primary copy at " : "the copy at ") + copy.storage;
}

BackupCopy choose_copy(BackupPlan &plan, const CopyCheck &check, std::vector<std::string> &notes)
{
    if (plan.copies.size() <= 1) {
        BackupCopy only = plan.copies.empty()
                              ? BackupCopy{"primary", "", plan.location, plan.manifest_location}
                              : plan.copies.front();
        check(only);
        plan.location = only.location;
        plan.manifest_location = only.manifest_location;
        return only;
    }
    std::string failures;
    bool all_damaged = true;
    for (std::size_t at = 0; at < plan.copies.size(); ++at) {
        const BackupCopy &copy = plan.copies[at];
        try {
            check(copy);
            plan.location = copy.location;
            plan.manifest_location = copy.manifest_location;
            return copy;
        } catch (const Error &error) {
            bool damaged = dynamic_cast<const BackupDamaged *>(&error) != nullptr;
            all_damaged = all_damaged && damaged;
            std::string why = describe_copy(copy) +
                              (damaged ? " is damaged: " : " could not be read: ") + error.what();
            failures += (failures.empty() ? "" : "; ") + why;
            if (at + 1 < plan.copies.size())
                notes.push_back(why + "; trying " + describe_copy(plan.copies[at + 1]));
        }
    }
    std::string message =
        "no copy of backup " + std::to_string(plan.backup.id) + " can be restored: " + failures;
    if (all_damaged)
        throw BackupDamaged(message);
    throw Error(message);
}

} // namespace lokbackup::cli
