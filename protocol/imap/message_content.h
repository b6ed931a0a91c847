// MessageContent: the text of one message, read and parsed at most once per command, with
// ENVELOPE/BODY/BODYSTRUCTURE kept in the store's cache (FETCH and SEARCH share it).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "message/message.h"
#include "storage/api/mailbox.h"

namespace satchel::imap {

class MessageContent {
 public:
  MessageContent(storage::Mailbox& box, storage::Uid uid) : box_(box), uid_(uid) {}

  // The CRLF text; nullptr when the message is gone (expunged meanwhile).
  const std::string* text() {
    if (!loaded_) {
      loaded_ = true;
      auto r = box_.read_message(uid_);
      ok_ = r.ok();
      if (ok_) text_ = std::move(r.value());
    }
    return ok_ ? &text_ : nullptr;
  }

  const message::ParsedMessage* parsed() {
    if (!parsed_ && text()) parsed_ = message::parse(text_);
    return parsed_.get();
  }

  // "envelope", "body" or "bodystructure", from the cache or computed and cached.
  std::optional<std::string> cached(std::string_view field) {
    if (auto hit = box_.cache_get(uid_, field)) return hit;
    const message::ParsedMessage* m = parsed();
    if (!m) return std::nullopt;
    std::string v = field == "envelope" ? message::envelope(*m)
                                        : message::body_structure(*m, field == "bodystructure");
    box_.cache_put(uid_, field, v);
    return v;
  }

 private:
  storage::Mailbox& box_;
  storage::Uid uid_;
  bool loaded_ = false;
  bool ok_ = false;
  std::string text_;
  std::unique_ptr<message::ParsedMessage> parsed_;
};

}  // namespace satchel::imap
