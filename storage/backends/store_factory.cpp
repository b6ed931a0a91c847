#include "storage/backends/store_factory.h"

#include <string>

#include "storage/maildir/maildir_store.h"

namespace satchel::storage {
namespace {

class StoreFactory : public MailStoreFactory {
 public:
  Result<std::unique_ptr<MailStore>> open(const StoreLocation& where) override {
    std::string_view loc = where.location;
    std::size_t colon = loc.find(':');
    if (colon == std::string_view::npos) {
      return Error::permanent("", "Mail location has no scheme: " + where.location);
    }
    std::string_view scheme = loc.substr(0, colon);
    std::string path(loc.substr(colon + 1));
    if (path == "~" || path.starts_with("~/")) {
      if (where.home.empty() || where.home.front() != '/') {
        return Error::permanent("", "Mail location uses ~ but the user has no home");
      }
      path = where.home + path.substr(1);
    }
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    if (scheme == "maildir") {
      auto store = maildir::MaildirStore::open_root(path, where.index_path);
      if (!store) return store.error();
      return std::unique_ptr<MailStore>(std::move(*store));
    }
    return Error::permanent("", "Unknown mail location scheme: " + std::string(scheme));
  }
};

}  // namespace

std::unique_ptr<MailStoreFactory> make_store_factory() {
  return std::make_unique<StoreFactory>();
}

}  // namespace satchel::storage
