// Command-line parsing shared by the commands: GNU-style long options (--name value,
// --name=value), short options (-p 5433, -p5433), positional arguments, and "--".
#pragma once

#include "core/base/error.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lokbackup::cli
{

// A command line that does not fit the command's synopsis: main() prints it and exits with 2.
class UsageError : public Error
{
  public:
    using Error::Error;
};

// --help where an option may stand: main() prints the command's help and exits with 0.
struct HelpRequested {
};

struct OptionSpec {
    std::string name; // long name, without "--"
    char short_name;  // 0 for none
    bool takes_value;
};

class Arguments
{
  public:
    // Throws UsageError naming the offending argument and the options `command` accepts, and
    // HelpRequested at a --help. An option's value is never taken from an argument that is an
    // option itself (--dbname --help): such a value is given as --dbname=-x.
    Arguments(const std::string &command, const std::vector<OptionSpec> &options,
              const std::vector<std::string> &arguments);

    bool flag(const std::string &name) const { return values_.count(name) > 0; }
    // The option's value; given more than once, the last one.
    std::optional<std::string> value(const std::string &name) const;
    // Every value of an option that may be given more than once, in order.
    std::vector<std::string> values(const std::string &name) const;
    // Throws UsageError when the option was given but is not a positive integer.
    std::optional<long long> positive_integer(const std::string &name) const;
    const std::vector<std::string> &positionals() const { return positionals_; }
    // Throws UsageError unless exactly `count` positional arguments were given; `what` names them.
    void expect_positionals(std::size_t count, const std::string &what) const;

  private:
    std::string command_;
    std::map<std::string, std::vector<std::string>> values_; // flags map to {""}
    std::vector<std::string> positionals_;
};

} // namespace lokbackup::cli
