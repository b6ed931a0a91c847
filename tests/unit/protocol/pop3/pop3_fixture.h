// Shared set-up for the pop3::Session tests: a MemoryStore, a FakeAuthenticator with user
// "alice" (password "secret") and a session fed from strings.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "protocol/pop3/make_session.h"
#include "protocol/pop3/session.h"
#include "tests/support/fake_authenticator.h"
#include "tests/support/memory_store.h"

namespace satchel::pop3::test {

struct Pop3Fixture {
  testing::MemoryStoreFactory stores;
  testing::FakeAuthenticator auth;
  protocol::Services services;
  protocol::ConnectionInfo info;
  protocol::Limits limits;
  std::unique_ptr<protocol::Session> session;
  protocol::FeedResult last;

  Pop3Fixture() {
    auth.add("alice", "secret");
    auth.add("bob", "hunter2");
    services.authenticator = &auth;
    services.stores = &stores;
    info.remote_ip = "192.0.2.7";
    info.plaintext_auth_allowed = true;
  }

  // A store view of a user's data, as another session (IMAP, or an MTA) would see it.
  testing::MemoryStore store_of(const std::string& user) {
    return testing::MemoryStore(stores.user(user));
  }

  std::string start() {
    session = make_pop3_session(info, limits, services);
    return session->greeting();
  }

  // Feeds `input` in one call and returns what the session wrote.
  std::string send(std::string_view input) {
    std::string out;
    last = session->feed(std::span<const char>(input.data(), input.size()), out);
    return out;
  }

  // Feeds one byte at a time, following `consumed` as a server does.
  std::string send_bytewise(std::string_view input) {
    std::string out;
    for (char c : input) {
      last = session->feed(std::span<const char>(&c, 1), out);
      if (last.next != protocol::Next::Read) break;
    }
    return out;
  }

  std::string login(const std::string& user = "alice", const std::string& pass = "secret") {
    return send("USER " + user + "\r\nPASS " + pass + "\r\n");
  }
};

}  // namespace satchel::pop3::test
