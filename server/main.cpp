// satcheld: the Satchel IMAP/POP3 daemon.
#include <cstdio>
#include <cstring>
#include <string>

#include "config/parser.h"
#include "server/master/master.h"
#include "server/master/privileges.h"
#include "server/master/tls_setup.h"

namespace {

constexpr const char* kDefaultConfig = "/etc/satchel/satchel.conf";

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: satcheld [-c FILE] [-f] [--check-config] [--version]\n"
               "  -c FILE           configuration file (default %s)\n"
               "  -f, --foreground  stay in the foreground (systemd, ./dev run)\n"
               "  --check-config    validate the configuration and exit\n",
               kDefaultConfig);
}

}  // namespace

int main(int argc, char** argv) {
  satchel::server::MasterOptions options;
  options.config_file = kDefaultConfig;
  bool check_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if ((arg == "-c" || arg == "--config") && i + 1 < argc) {
      options.config_file = argv[++i];
    } else if (arg == "-f" || arg == "--foreground") {
      options.foreground = true;
    } else if (arg == "--check-config" || arg == "-t") {
      check_only = true;
    } else if (arg == "--version" || arg == "-V") {
      std::printf("satcheld 0.1.0\n");
      return 0;
    } else if (arg == "-h" || arg == "--help") {
      usage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "satcheld: unknown argument '%s'\n", arg.c_str());
      usage(stderr);
      return 2;
    }
  }
  if (check_only) {
    auto settings = satchel::config::parse_file(options.config_file);
    if (!settings) {
      std::fprintf(stderr, "%s\n", settings.error().message.c_str());
      return 2;
    }
    // The certificates too: a start would stop on them (file and reason in the message).
    auto tls = satchel::server::load_tls(*settings);
    if (!tls) {
      std::fprintf(stderr, "%s\n", tls.error().message.c_str());
      return 2;
    }
    // And the accounts: a start would stop on them.
    auto accounts = satchel::server::check_accounts(*settings);
    if (!accounts) {
      std::fprintf(stderr, "%s\n", accounts.error().message.c_str());
      return 2;
    }
    std::printf("%s: configuration is valid\n", options.config_file.c_str());
    return 0;
  }
  return satchel::server::run_master(options);
}
