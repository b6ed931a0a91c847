#include "cli/admin/command_table.h"

#include <algorithm>

namespace satchel::admin {

std::vector<const Command*> all_commands() {
  std::vector<const Command*> out;
  for (const Command& c : user_commands()) out.push_back(&c);
  return out;
}

Result<CommandArgs> parse_command_args(const Command& command, std::span<const std::string> args) {
  auto has = [](const std::vector<std::string_view>& list, std::string_view name) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  CommandArgs out;
  bool options_done = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (options_done || a.size() < 2 || a[0] != '-') {
      out.positional.push_back(a);
      continue;
    }
    if (a == "--") {
      options_done = true;
      continue;
    }
    std::string name = a;
    std::string value;
    bool inline_value = false;
    if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      inline_value = true;
    }
    if (name == "--password" || name == "-p")
      return Error::permanent("",
                              "passwords are never taken on the command line: "
                              "type it when asked, or pipe it on stdin");
    if (has(command.value_options, name)) {
      if (!inline_value) {
        if (i + 1 >= args.size()) return Error::permanent("", name + " needs a value");
        value = args[++i];
      }
      if (out.options.count(name)) return Error::permanent("", name + " given twice");
      out.options[name] = value;
    } else if (has(command.flag_options, name) && !inline_value) {
      out.options[name] = "";
    } else {
      return Error::permanent("", "unknown option '" + a + "'");
    }
  }
  if (out.positional.size() != command.positionals)
    return Error::permanent("", "expected " + std::to_string(command.positionals) +
                                    (command.positionals == 1 ? " argument" : " arguments") +
                                    ", got " + std::to_string(out.positional.size()));
  return out;
}

}  // namespace satchel::admin
