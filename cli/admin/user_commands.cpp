// satchel-admin user add | passwd | del | list: the SQLite user database.
#include <cstdio>
#include <ctime>

#include "base/ascii.h"
#include "cli/admin/command_table.h"
#include "cli/admin/exit_codes.h"
#include "cli/admin/password_prompt.h"

namespace satchel::admin {

namespace {

int fail(const Error& e) {
  std::fprintf(stderr, "satchel-admin: %s\n", e.message.c_str());
  return kExitFailed;
}

int user_add(const AdminContext& ctx, const CommandArgs& args) {
  const std::string& name = args.positional[0];
  auth::SqliteUserDb::AddOptions options;
  if (const std::string* home = args.option("--home")) options.home = *home;
  if (const std::string* loc = args.option("--location")) {
    if (!ascii::istarts_with(*loc, "maildir:") && !ascii::istarts_with(*loc, "mbox:")) {
      std::fprintf(stderr, "satchel-admin: --location: expected maildir:PATH or mbox:PATH\n");
      return kExitUsage;
    }
    options.mail_location = *loc;
  }
  auto db = ctx.open_userdb(true);
  if (!db.ok()) return fail(db.error());
  // Refuse before asking for a password that could not be used.
  if (db.value()->lookup(name).ok())
    return fail(Error::permanent("ALREADYEXISTS", "user '" + name + "' already exists"));
  auto password = read_new_password(name);
  if (!password.ok()) return fail(password.error());
  auto added = db.value()->add_user(name, password.value(), options);
  if (!added.ok()) return fail(added.error());
  return kExitOk;
}

int user_passwd(const AdminContext& ctx, const CommandArgs& args) {
  const std::string& name = args.positional[0];
  auto db = ctx.open_userdb(false);
  if (!db.ok()) return fail(db.error());
  auto existing = db.value()->lookup(name);
  if (!existing.ok()) return fail(existing.error());
  auto password = read_new_password(name);
  if (!password.ok()) return fail(password.error());
  auto changed = db.value()->set_password(name, password.value());
  if (!changed.ok()) return fail(changed.error());
  return kExitOk;
}

int user_del(const AdminContext& ctx, const CommandArgs& args) {
  auto db = ctx.open_userdb(false);
  if (!db.ok()) return fail(db.error());
  auto removed = db.value()->remove_user(args.positional[0]);
  if (!removed.ok()) return fail(removed.error());
  return kExitOk;
}

std::string format_time(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  if (gmtime_r(&tt, &tm) == nullptr) return "?";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int user_list(const AdminContext& ctx, const CommandArgs& args) {
  auto db = ctx.open_userdb(false);
  if (!db.ok()) return fail(db.error());
  auto users = db.value()->list_users();
  if (!users.ok()) return fail(users.error());
  bool long_form = args.option("--long") || args.option("-l");
  for (const auto& u : users.value()) {
    const auth::UserRecord& r = u.record;
    if (long_form)
      std::printf("%s\t%u\t%u\t%s\t%s\t%s\n", r.name.c_str(), static_cast<unsigned>(r.uid),
                  static_cast<unsigned>(r.gid), r.home.c_str(), r.mail_location.c_str(),
                  format_time(u.created).c_str());
    else
      std::printf("%s\n", r.name.c_str());
  }
  return kExitOk;
}

const Command kUserCommands[] = {
    {"user",
     "add",
     "NAME [--home DIR] [--location LOC]",
     "add a user; the password is asked twice, or read from stdin",
     1,
     {"--home", "--location"},
     {},
     user_add},
    {"user",
     "passwd",
     "NAME",
     "set a user's password (asked, or read from stdin)",
     1,
     {},
     {},
     user_passwd},
    {"user",
     "del",
     "NAME",
     "remove a user from the user database (their mail stays)",
     1,
     {},
     {},
     user_del},
    {"user",
     "list",
     "[--long]",
     "list users; --long (-l) adds uid, gid, home, location, creation time",
     0,
     {},
     {"--long", "-l"},
     user_list},
};

}  // namespace

std::span<const Command> user_commands() {
  return kUserCommands;
}

}  // namespace satchel::admin
