#include "core/wal/recovery_settings.hpp"

#include "core/base/error.hpp"
#include "core/base/text.hpp"

namespace lokbackup
{

std::string shell_quoted(std::string_view word)
{
    std::string quoted = "'";
    for (char c : word)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

std::string conf_quoted(std::string_view value)
{
    std::string quoted = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\')
            quoted += c;
        quoted += c;
    }
    return quoted + "'";
}

std::string archive_command_line(const std::vector<std::string> &words,
                                 std::size_t placeholders_after,
                                 const std::vector<std::string> &placeholders)
{
    std::string line;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string &word = words[i];
        for (char c : word)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                throw InvalidValue("\"" + printable(word) +
                                   "\" has a control character (a line break, a tab), which "
                                   "cannot be passed on to the server's restore_command: "
                                   "rename it");
        std::string escaped;
        for (char c : shell_quoted(word))
            escaped += c == '%' ? std::string("%%") : std::string(1, c);
        line += (line.empty() ? "" : " ") + escaped;
        if (i + 1 == placeholders_after)
            for (const std::string &placeholder : placeholders)
                line += " " + placeholder;
    }
    return line;
}

std::string recovery_target_action(std::string_view name)
{
    if (name == "promote" || name == "pause" || name == "shutdown")
        return std::string(name);
    throw InvalidValue("\"" + printable(name) +
                       "\" is not a recovery target action: allowed are promote, pause and "
                       "shutdown");
}

std::string recovery_settings(const std::string &restore_command, const RecoveryTarget &target,
                              const std::string &action, const std::string &recovery_end_command)
{
    std::string text = "\n# Point-in-time recovery, written by lokbackup restore-pitr. Once the "
                       "server is promoted,\n# these may be removed.\n";
    text += "restore_command = " + conf_quoted(restore_command) + "\n";
    if (!recovery_end_command.empty())
        text += "recovery_end_command = " + conf_quoted(recovery_end_command) + "\n";
    if (target.kind == RecoveryTarget::Kind::time)
        text += "recovery_target_time = " + conf_quoted(target.setting) + "\n";
    if (target.kind == RecoveryTarget::Kind::lsn)
        text += "recovery_target_lsn = " + conf_quoted(target.setting) + "\n";
    text += "recovery_target_timeline = 'latest'\n";
    text += "recovery_target_action = " + conf_quoted(recovery_target_action(action)) + "\n";
    return text;
}

} // namespace lokbackup
