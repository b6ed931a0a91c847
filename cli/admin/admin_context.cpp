#include "cli/admin/admin_context.h"

#include <sys/stat.h>

#include <cerrno>

namespace satchel::admin {

Result<std::unique_ptr<auth::SqliteUserDb>> AdminContext::open_userdb(bool create) const {
  struct stat st {};
  if (!create && ::stat(userdb_path.c_str(), &st) != 0 && errno == ENOENT)
    return Error::permanent("NONEXISTENT",
                            "no user database at " + userdb_path + " yet ('user add' creates it)");
  auth::SqliteUserDb::Defaults defaults;
  defaults.mail_root = settings.mail_root;
  defaults.mail_location = settings.mail_location;
  return auth::SqliteUserDb::open(userdb_path, std::move(defaults), create);
}

}  // namespace satchel::admin
