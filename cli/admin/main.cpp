// satchel-admin: manage Satchel users (and later mailboxes, quotas, ACLs).
//
//   satchel-admin [-c CONFIG] [--userdb PATH] GROUP COMMAND [ARGS...]
//
// Exit codes: 0 done, 1 the operation failed, 2 bad usage or configuration.
#include <sys/stat.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cli/admin/command_table.h"
#include "cli/admin/exit_codes.h"
#include "config/parser.h"

namespace {

using namespace satchel;
using namespace satchel::admin;

constexpr const char* kDefaultConfig = "/etc/satchel/satchel.conf";

void print_usage(std::FILE* out) {
  std::fprintf(out,
               "usage: satchel-admin [-c CONFIG] [--userdb PATH] COMMAND [ARGS...]\n"
               "\n"
               "options:\n"
               "  -c, --config FILE  configuration (default %s; built-in defaults if absent)\n"
               "  --userdb PATH      user database to use instead of [auth] userdb\n"
               "  -h, --help         this help\n"
               "\n"
               "commands:\n",
               kDefaultConfig);
  for (const Command* c : all_commands()) {
    std::string line =
        std::string(c->group) + " " + std::string(c->name) + " " + std::string(c->usage);
    std::fprintf(out, "  %s\n      %s\n", line.c_str(), std::string(c->summary).c_str());
  }
  std::fprintf(out,
               "\nPasswords are never taken from the command line: they are asked twice on a\n"
               "terminal, or read as one line from stdin (echo pw | satchel-admin user add x).\n");
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "satchel-admin: %s\n", message.c_str());
  std::fprintf(stderr, "Try 'satchel-admin --help'.\n");
  return kExitUsage;
}

bool file_exists(const char* path) {
  struct stat st {};
  return ::stat(path, &st) == 0;
}

int run(const std::vector<std::string>& argv) {
  std::string config_path;
  std::string userdb;
  std::size_t i = 0;
  // Global options come before the command.
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    auto value_of = [&](const std::string& opt, std::string& out) -> bool {
      if (a == opt) {
        if (i + 1 >= argv.size()) return false;
        out = argv[++i];
        return true;
      }
      out = a.substr(opt.size() + 1);  // "--opt=VALUE"
      return true;
    };
    if (a == "-h" || a == "--help") {
      print_usage(stdout);
      return kExitOk;
    } else if (a == "-c" || a == "--config" || a.rfind("--config=", 0) == 0) {
      if (!value_of(a == "-c" ? "-c" : "--config", config_path) || config_path.empty())
        return usage_error(a + " needs a file name");
    } else if (a == "--userdb" || a.rfind("--userdb=", 0) == 0) {
      if (!value_of("--userdb", userdb) || userdb.empty())
        return usage_error("--userdb needs a path");
    } else if (!a.empty() && a[0] == '-') {
      return usage_error("unknown option '" + a + "'");
    } else {
      break;
    }
  }
  if (i >= argv.size()) return usage_error("no command given");
  if (i + 1 >= argv.size()) return usage_error("'" + argv[i] + "' needs a command");

  const Command* command = nullptr;
  bool group_known = false;
  for (const Command* c : all_commands()) {
    if (c->group != argv[i]) continue;
    group_known = true;
    if (c->name == argv[i + 1]) command = c;
  }
  if (!group_known) return usage_error("unknown command '" + argv[i] + "'");
  if (!command) return usage_error("unknown command '" + argv[i] + " " + argv[i + 1] + "'");

  std::vector<std::string> rest(argv.begin() + static_cast<std::ptrdiff_t>(i + 2), argv.end());
  for (const std::string& a : rest) {
    if (a == "-h" || a == "--help") {
      std::printf("usage: satchel-admin %s %s %s\n  %s\n", std::string(command->group).c_str(),
                  std::string(command->name).c_str(), std::string(command->usage).c_str(),
                  std::string(command->summary).c_str());
      return kExitOk;
    }
  }
  auto args = parse_command_args(*command, rest);
  if (!args.ok())
    return usage_error(std::string(command->group) + " " + std::string(command->name) + ": " +
                       args.error().message);

  AdminContext ctx;
  // An explicit -c must exist; the default file is optional (a fresh install may lack it).
  if (config_path.empty() && file_exists(kDefaultConfig)) config_path = kDefaultConfig;
  if (!config_path.empty()) {
    auto settings = config::parse_file(config_path);
    if (!settings.ok()) {
      std::fprintf(stderr, "%s\n", settings.error().message.c_str());
      return kExitUsage;
    }
    ctx.settings = std::move(settings.value());
  }
  ctx.userdb_path = userdb.empty() ? ctx.settings.userdb : userdb;
  return command->run(ctx, args.value());
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    return run(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "satchel-admin: %s\n", e.what());
    return kExitFailed;
  }
}
