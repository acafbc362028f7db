#include "core/pipeline/restricted_script.hpp"

#include "core/base/error.hpp"
#include "core/base/random_hex.hpp"

#include <cstring>

namespace lokbackup
{

namespace
{

const std::string restrict_command = "\\restrict ";
const std::string unrestrict_command = "\\unrestrict ";

// pg_dump's keys are 64 characters; psql takes any length. Longer lines are never dropped.
constexpr std::size_t max_key_length = 256;

bool is_key(const std::string &text)
{
    if (text.empty() || text.size() > max_key_length)
        return false;
    for (char c : text)
        if (!(('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')))
            return false;
    return true;
}

// The key of `line` when it is `command` followed by a key, else "".
std::string key_of(const std::string &line, const std::string &command)
{
    if (line.compare(0, command.size(), command) != 0)
        return "";
    std::string key = line.substr(command.size());
    return is_key(key) ? key : "";
}

// Whether `start` can still grow into a restrict or unrestrict line.
bool may_become_restrict_line(const std::string &start)
{
    for (const std::string *command : {&restrict_command, &unrestrict_command}) {
        std::size_t common = std::min(start.size(), command->size());
        if (start.compare(0, common, *command, 0, common) != 0)
            continue;
        if (start.size() <= command->size())
            return true;
        std::string key = start.substr(command->size());
        if (key.size() <= max_key_length && is_key(key))
            return true;
    }
    return false;
}

} // namespace

std::string random_restrict_key()
{
    return random_hex(32);
}

bool has_restrict(const ClientVersion &version)
{
    switch (version.major) {
    case 15:
        return version.minor >= 14;
    case 16:
        return version.minor >= 10;
    case 17:
        return version.minor >= 6;
    default:
        return version.major >= 18;
    }
}

RestrictedScript::RestrictedScript(Sink &psql_input, std::string key)
    : psql_input_(psql_input), key_(std::move(key))
{
    if (!is_key(key_))
        throw Error("a psql restrict key is letters and digits only");
}

void RestrictedScript::start()
{
    if (started_)
        return;
    started_ = true;
    std::string line = restrict_command + key_ + "\n";
    psql_input_.write(line.data(), line.size());
}

bool RestrictedScript::is_dropped(const std::string &line)
{
    if (object_key_.empty()) {
        object_key_ = key_of(line, restrict_command);
        return !object_key_.empty();
    }
    return key_of(line, unrestrict_command) == object_key_;
}

void RestrictedScript::write(const char *data, std::size_t size)
{
    start();
    std::size_t unchanged_from = 0; // the bytes from here on go to psql as they are
    for (std::size_t i = 0; i < size; ++i) {
        char byte = data[i];
        if (holding_) {
            if (byte == '\n') {
                if (!is_dropped(held_)) {
                    held_ += '\n';
                    psql_input_.write(held_.data(), held_.size());
                }
                holding_ = false;
                at_line_start_ = true;
                unchanged_from = i + 1;
                continue;
            }
            held_ += byte;
            if (!may_become_restrict_line(held_)) {
                psql_input_.write(held_.data(), held_.size());
                holding_ = false;
                at_line_start_ = false;
                unchanged_from = i + 1;
            }
        } else if (!at_line_start_) {
            // The rest of a line passes unlooked at: skip to its end.
            const void *newline = std::memchr(data + i, '\n', size - i);
            if (newline == nullptr)
                break;
            i = static_cast<std::size_t>(static_cast<const char *>(newline) - data);
            at_line_start_ = true;
        } else if (byte == '\\') {
            psql_input_.write(data + unchanged_from, i - unchanged_from);
            holding_ = true;
            held_.assign(1, byte);
        } else {
            at_line_start_ = byte == '\n';
        }
    }
    if (!holding_ && unchanged_from < size)
        psql_input_.write(data + unchanged_from, size - unchanged_from);
}

void RestrictedScript::finish()
{
    start();
    if (holding_ && !is_dropped(held_))
        psql_input_.write(held_.data(), held_.size());
    holding_ = false;
    psql_input_.finish();
}

} // namespace lokbackup
