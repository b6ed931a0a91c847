// The commands of satchel-admin as a table: "GROUP NAME ARGS...". A new group (mailbox,
// quota, acl) adds rows from its own *_commands.cpp; main.cpp only looks them up.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "cli/admin/admin_context.h"

namespace satchel::admin {

// The arguments after "GROUP NAME": positionals in order and --options with their values.
struct CommandArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // "--home" -> "/srv/x"

  const std::string* option(const std::string& name) const {
    auto it = options.find(name);
    return it == options.end() ? nullptr : &it->second;
  }
};

struct Command {
  std::string_view group;                       // "user"
  std::string_view name;                        // "add"
  std::string_view usage;                       // "NAME [--home DIR] [--location LOC]"
  std::string_view summary;                     // One line for --help.
  std::size_t positionals;                      // Exactly this many positional arguments.
  std::vector<std::string_view> value_options;  // Options that take a value ("--home").
  std::vector<std::string_view> flag_options;   // Options without a value ("--long").
  // Runs the command; returns an exit code (exit_codes.h) after printing any message.
  int (*run)(const AdminContext&, const CommandArgs&);
};

// The rows of each group, defined in <group>_commands.cpp.
std::span<const Command> user_commands();

// Every command, in --help order.
std::vector<const Command*> all_commands();

// Splits `args` (after GROUP NAME) against the command's declared options. Errors name the
// problem for a usage message ("unknown option '--x'", "expected 1 argument").
Result<CommandArgs> parse_command_args(const Command& command, std::span<const std::string> args);

}  // namespace satchel::admin
