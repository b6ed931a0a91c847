// The Maildir backend's MailStore: the location path is the Maildir root and INBOX; other
// mailboxes are Maildir++ folders "<root>/.<a>.<b>" (storage/maildir/mailbox_name.h maps
// names). The per-user SQLite index lives at StoreLocation::index_path or
// "<root>/satchel.index.sqlite". Every method may block on disk I/O.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "storage/api/mail_store.h"
#include "storage/maildir/maildir_context.h"

namespace satchel::storage::maildir {

class MaildirStore : public MailStore {
 public:
  // Opens (creating the root with cur/new/tmp, mode 0700, if missing) the Maildir at
  // `root_path` with its index at `index_path` (empty: inside the root). A missing or corrupt
  // index is rebuilt from the files.
  static Result<std::unique_ptr<MaildirStore>> open_root(const std::string& root_path,
                                                         const std::string& index_path);

  Result<std::vector<MailboxEntry>> list() override;
  Status create(std::string_view name) override;
  Status remove(std::string_view name) override;
  Status rename(std::string_view from, std::string_view to) override;
  Status subscribe(std::string_view name) override;
  Status unsubscribe(std::string_view name) override;
  Result<std::vector<std::string>> subscriptions() override;
  Result<MailboxStatus> status(std::string_view name) override;
  Result<std::unique_ptr<Mailbox>> open(std::string_view name, bool read_only) override;
  Result<std::unique_ptr<AppendSink>> begin_append(std::string_view mailbox) override;
  Result<std::unique_ptr<SessionLock>> lock_exclusive(std::string_view mailbox) override;
  void release_memory() override;

 private:
  explicit MaildirStore(std::shared_ptr<MaildirContext> ctx) : ctx_(std::move(ctx)) {}

  struct Folder {
    bool has_dir = false;     // A directory of its own exists.
    bool selectable = false;  // ... with cur/ in it.
  };
  // Every mailbox name below the root (INBOX included), with implied parents (no directory).
  Result<std::map<std::string, Folder>> scan_folders();
  Status rename_inbox(std::string_view to);

  std::shared_ptr<MaildirContext> ctx_;
};

}  // namespace satchel::storage::maildir
