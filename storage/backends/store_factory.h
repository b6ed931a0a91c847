// The storage module's composition point: turns a user's mail location into a MailStore of
// the right backend. server/ and cli/ call this; protocol/ sees only MailStoreFactory.
#pragma once

#include <memory>

#include "storage/api/mail_store.h"

namespace satchel::storage {

// Locations understood: "maildir:/abs/path" and "maildir:~/path" ("~/" expands to
// StoreLocation::home). Any other scheme, or a relative path: Permanent error.
std::unique_ptr<MailStoreFactory> make_store_factory();

}  // namespace satchel::storage
