// What every satchel-admin command needs: the configuration and access to the user database.
#pragma once

#include <memory>
#include <string>

#include "auth/sqlite/sqlite_userdb.h"
#include "base/result.h"
#include "config/settings.h"

namespace satchel::admin {

struct AdminContext {
  config::Settings settings;  // From -c FILE, /etc/satchel/satchel.conf, or the defaults.
  std::string userdb_path;    // [auth] userdb, or --userdb.

  // Opens the user database; `create` makes it when missing (only "user add" does).
  Result<std::unique_ptr<auth::SqliteUserDb>> open_userdb(bool create) const;
};

}  // namespace satchel::admin
