// Privilege handling, written once for every process role (CONVENTIONS.md rule 8).
#pragma once

#include <string>

#include "base/result.h"
#include "config/settings.h"

namespace satchel::server {

struct Identity {
  unsigned uid = 0;
  unsigned gid = 0;
};

// Looks up the user (and group; empty group: the user's primary group).
Result<Identity> resolve_identity(const std::string& user, const std::string& group);

// Drops from root to `id` for good: supplementary groups, then gid, then uid (in that order:
// after setresuid the process could no longer change its groups), and checks that root cannot
// be regained. Call after binding and loading keys, before reading any client byte.
// Supplementary groups: only `id.gid`, or with `account_groups` those of the uid's account
// (a system user's own mail worker: a Maildir shared through a group keeps working).
Status drop_privileges(const Identity& id, bool account_groups = false);

// The accounts the configuration names exist (checked when running as root, where they are
// used): the split model's login_user, and `user`. Errors name the file and the key, with a
// hint; the two being one account is logged as a warning. Used at start and by
// `satcheld --check-config`.
Status check_accounts(const config::Settings& settings);

// Raises RLIMIT_NOFILE so `wanted` descriptors fit (as far as the hard limit, or beyond it when
// root). Returns the limit now in force.
unsigned long raise_fd_limit(unsigned long wanted);

}  // namespace satchel::server
