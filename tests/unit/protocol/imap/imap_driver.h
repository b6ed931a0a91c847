// ImapDriver: feeds strings to an imap::Session backed by MemoryStore + FakeAuthenticator and
// returns what it wrote. Shared by the IMAP unit tests.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "protocol/imap/session.h"
#include "tests/support/fake_authenticator.h"
#include "tests/support/memory_store.h"

namespace satchel::testing {

struct ImapWorld {
  MemoryStoreFactory stores;
  FakeAuthenticator auth;
  // Optional services (null: the session's defaults).
  auth::SaslMechanisms* sasl = nullptr;
  auth::LoginPolicy* login_policy = nullptr;
  bool handoff_after_login = false;
  protocol::Services services() {
    protocol::Services s;
    s.authenticator = &auth;
    s.stores = &stores;
    s.sasl = sasl;
    s.login_policy = login_policy;
    s.handoff_after_login = handoff_after_login;
    return s;
  }
  ImapWorld() {
    auth.add("demo", "secret");
    auth.add("other", "pw2");
  }
  MemoryStore store(const std::string& user = "demo") { return MemoryStore(stores.user(user)); }
};

class ImapDriver {
 public:
  explicit ImapDriver(ImapWorld& world, protocol::ConnectionInfo conn = loopback(),
                      protocol::Limits limits = {})
      : limits_(limits) {
    session_ = std::make_unique<imap::Session>(conn, limits_, world.services());
    session_->set_clock([] { return imap::DateTime{1700000000, 60}; });
  }

  static protocol::ConnectionInfo loopback() {
    protocol::ConnectionInfo c;
    c.remote_ip = "127.0.0.1";
    c.plaintext_auth_allowed = true;
    return c;
  }

  // Feeds everything at once (looping while the session leaves bytes after a delay).
  std::string send(std::string_view in) {
    std::string out;
    last_ = {};
    std::size_t pos = 0;
    while (true) {
      last_ = session_->feed(std::span<const char>(in.data() + pos, in.size() - pos), out);
      pos += last_.consumed;
      total_consumed_ += last_.consumed;
      if (last_.next != protocol::Next::Read || pos >= in.size() || last_.consumed == 0) break;
    }
    return out;
  }

  // Feeds one byte per call.
  std::string send_bytewise(std::string_view in) {
    std::string out;
    for (std::size_t i = 0; i < in.size(); ++i) {
      last_ = session_->feed(std::span<const char>(in.data() + i, 1), out);
      if (last_.next != protocol::Next::Read) break;
    }
    return out;
  }

  std::string login() { return send("L1 LOGIN demo secret\r\n"); }
  std::string select(std::string_view box = "INBOX") {
    return send("S1 SELECT " + std::string(box) + "\r\n");
  }

  imap::Session& session() { return *session_; }
  const protocol::FeedResult& last() const { return last_; }

 private:
  protocol::Limits limits_;
  std::unique_ptr<imap::Session> session_;
  protocol::FeedResult last_;
  std::size_t total_consumed_ = 0;
};

inline bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace satchel::testing
