#include "cli/options.hpp"

#include <cerrno>
#include <cstdlib>

namespace lokbackup::cli
{

namespace
{

std::string accepted_options(const std::vector<OptionSpec> &options)
{
    std::string list;
    for (const auto &option : options)
        list += (list.empty() ? "--" : ", --") + option.name;
    return list.empty() ? "no options" : list;
}

bool is_option(const std::string &argument)
{
    return argument.size() >= 2 && argument[0] == '-';
}

const OptionSpec *find_long(const std::vector<OptionSpec> &options, const std::string &name)
{
    for (const auto &option : options)
        if (option.name == name)
            return &option;
    return nullptr;
}

const OptionSpec *find_short(const std::vector<OptionSpec> &options, char name)
{
    for (const auto &option : options)
        if (option.short_name == name)
            return &option;
    return nullptr;
}

} // namespace

Arguments::Arguments(const std::string &command, const std::vector<OptionSpec> &options,
                     const std::vector<std::string> &arguments)
    : command_(command)
{
    auto unknown = [&](const std::string &argument) {
        return UsageError("unknown option \"" + argument + "\" for " + command + " (it accepts " +
                          accepted_options(options) + ")");
    };
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string &argument = arguments[i];
        if (argument == "--") {
            positionals_.insert(positionals_.end(), arguments.begin() + i + 1, arguments.end());
            return;
        }
        if (!is_option(argument)) {
            positionals_.push_back(argument);
            continue;
        }
        if (argument == "--help" || argument == "-?")
            throw HelpRequested{};

        const OptionSpec *option;
        std::string spelled;
        std::optional<std::string> attached; // --name=value, -pvalue
        if (argument[1] == '-') {
            std::size_t equals = argument.find('=');
            spelled = argument.substr(0, equals);
            option = find_long(options, spelled.substr(2));
            if (equals != std::string::npos)
                attached = argument.substr(equals + 1);
        } else {
            spelled = argument.substr(0, 2);
            option = find_short(options, argument[1]);
            if (argument.size() > 2)
                attached = argument.substr(2);
        }
        if (!option)
            throw unknown(spelled);

        if (!option->takes_value) {
            if (attached)
                throw UsageError("option " + spelled + " takes no value");
            values_[option->name].push_back("");
        } else if (attached) {
            values_[option->name].push_back(*attached);
        } else if (i + 1 < arguments.size() && !is_option(arguments[i + 1])) {
            values_[option->name].push_back(arguments[++i]);
        } else if (i + 1 < arguments.size()) {
            throw UsageError("option " + spelled + " needs a value, and \"" + arguments[i + 1] +
                             "\" is an option; a value that starts with \"-\" is written " +
                             spelled + (option->short_name && spelled.size() == 2 ? "" : "=") +
                             "VALUE");
        } else {
            throw UsageError("option " + spelled + " needs a value");
        }
    }
}

std::optional<std::string> Arguments::value(const std::string &name) const
{
    auto found = values_.find(name);
    if (found == values_.end())
        return std::nullopt;
    return found->second.back();
}

std::vector<std::string> Arguments::values(const std::string &name) const
{
    auto found = values_.find(name);
    return found == values_.end() ? std::vector<std::string>{} : found->second;
}

std::optional<long long> Arguments::positive_integer(const std::string &name) const
{
    std::optional<std::string> text = value(name);
    if (!text)
        return std::nullopt;
    errno = 0;
    char *end = nullptr;
    long long number = std::strtoll(text->c_str(), &end, 10);
    if (text->empty() || *end != '\0' || errno != 0 || number <= 0)
        throw UsageError("--" + name + " must be a positive integer, not \"" + *text + "\"");
    return number;
}

void Arguments::expect_positionals(std::size_t count, const std::string &what) const
{
    if (positionals_.size() < count)
        throw UsageError(command_ + " needs " + what);
    if (positionals_.size() > count)
        throw UsageError("unexpected argument \"" + positionals_[count] + "\" for " + command_ +
                         " (it takes " + what + ")");
}

} // namespace lokbackup::cli
