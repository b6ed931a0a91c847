#include "tls/engine.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <ctime>

#include "tls_test_support.h"

using namespace satchel::tls;
using namespace satchel::tls::test;

namespace {

std::shared_ptr<const ContextSet> standard_set(ServerOptions o) {
  auto set = ContextSet::load(o, nullptr);
  REQUIRE(set.ok());
  return *set;
}

std::shared_ptr<const ContextSet> standard_set(std::string alpn = "imap") {
  return standard_set(options_for(
      shared_certs(),
      {"default.example.com", "imap.example.com", "mail.example.com", "_.wild.example.com"},
      std::move(alpn)));
}

std::unique_ptr<Engine> make_engine(std::shared_ptr<const ContextSet> set) {
  auto engine = Engine::create(std::move(set));
  REQUIRE(engine.ok());
  return std::move(*engine);
}

Client::Settings client_settings() {
  Client::Settings s;
  s.ca_file = shared_certs().file("ca.pem");
  return s;
}

// The certificate name a client asking for `sni` (empty: no SNI) is served.
std::vector<std::string> served_names(const std::string& sni) {
  auto engine = make_engine(standard_set());
  Client::Settings s = client_settings();
  s.sni = sni;
  Client client(s);
  pump(client, *engine);
  REQUIRE(client.done());
  REQUIRE(engine->handshake_done());
  CHECK(engine->sni() == sni);
  return client.server_names();
}

}  // namespace

TEST_CASE("Engine completes a handshake in memory and carries data both ways byte-exact") {
  auto engine = make_engine(standard_set());
  CHECK(engine->state() == Engine::State::Handshaking);
  CHECK(engine->sni().empty());
  Client client(client_settings());
  bool completed = false;
  pump(client, *engine, nullptr, &completed);
  REQUIRE(client.done());
  CHECK(client.verify_result() == X509_V_OK);
  CHECK(completed);
  CHECK(engine->state() == Engine::State::Open);
  CHECK(engine->protocol_version() == "TLSv1.3");
  CHECK_FALSE(engine->cipher().empty());
  CHECK(engine->certificate_file() == shared_certs().file("default.example.com.pem"));

  std::string upload;
  for (int i = 0; i < 70000; ++i) upload += static_cast<char>(i * 7 % 256);
  client.write(upload);
  std::string server_plain;
  pump(client, *engine, &server_plain);
  CHECK(server_plain == upload);

  std::string download = "* OK [CAPABILITY IMAP4rev1] ready\r\n";
  download += std::string(100000, '\0') + "\xff\r\n";
  REQUIRE(engine->write_plaintext(download).ok());
  client.feed(engine->take_ciphertext());
  client.step();
  CHECK(client.take_received() == download);
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("Engine accepts ciphertext one byte at a time") {
  auto engine = make_engine(standard_set());
  Client client(client_settings());
  bool completed = false;
  std::string server_plain;
  for (int round = 0; round < 10 && !completed; ++round) {
    client.step();
    std::string c2s = client.take();
    for (char c : c2s) {
      engine->feed_ciphertext(std::span<const char>(&c, 1));
      Engine::Progress p = engine->process();
      REQUIRE(p.state != Engine::State::Failed);
      if (p.handshake_completed) {
        CHECK_FALSE(completed);
        completed = true;
      }
    }
    client.feed(engine->take_ciphertext());
  }
  REQUIRE(completed);
  client.step();
  client.write("a1 NOOP\r\n");
  for (char c : client.take()) {
    engine->feed_ciphertext(std::span<const char>(&c, 1));
    engine->process();
    server_plain += engine->take_plaintext();
  }
  CHECK(server_plain == "a1 NOOP\r\n");
}

TEST_CASE("Engine queues plaintext written during the handshake until it completes") {
  auto engine = make_engine(standard_set());
  REQUIRE(engine->write_plaintext(std::string_view("* OK hello\r\n")).ok());
  Client client(client_settings());
  pump(client, *engine);
  REQUIRE(client.done());
  client.step();
  CHECK(client.take_received() == "* OK hello\r\n");
}

TEST_CASE("Engine serves the certificate matching the SNI name, else the default") {
  CHECK(served_names("imap.example.com") == std::vector<std::string>{"imap.example.com"});
  CHECK(served_names("mail.example.com") == std::vector<std::string>{"mail.example.com"});
  CHECK(served_names("pop.wild.example.com") == std::vector<std::string>{"*.wild.example.com"});
  CHECK(served_names("unknown.example.org") == std::vector<std::string>{"default.example.com"});
  CHECK(served_names("") == std::vector<std::string>{"default.example.com"});
}

TEST_CASE("Engine refuses a client limited to TLS 1.1") {
  auto engine = make_engine(standard_set());
  Client::Settings s = client_settings();
  s.min_version = TLS1_VERSION;
  s.max_version = TLS1_1_VERSION;
  Client client(s);
  pump(client, *engine);
  CHECK(engine->state() == Engine::State::Failed);
  CHECK(engine->error() == "unsupported protocol");
  CHECK_FALSE(client.done());
  CHECK(client.failed());  // The alert reached the client.
  CHECK_FALSE(engine->write_plaintext(std::string_view("x")).ok());
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("Engine honours min_version TLSv1.3 and max_version TLSv1.2") {
  ServerOptions o = options_for(shared_certs(), {"default.example.com"});
  o.max_version = "TLSv1.2";
  auto engine = make_engine(standard_set(o));
  Client client(client_settings());
  pump(client, *engine);
  REQUIRE(client.done());
  CHECK(engine->protocol_version() == "TLSv1.2");
  CHECK(engine->cipher().starts_with("ECDHE-"));

  // SNI selection works the same in TLS 1.2.
  auto sni_engine = make_engine(
      standard_set(options_for(shared_certs(), {"default.example.com", "mail.example.com"})));
  Client::Settings tls12 = client_settings();
  tls12.max_version = TLS1_2_VERSION;
  tls12.sni = "mail.example.com";
  Client sni_client(tls12);
  pump(sni_client, *sni_engine);
  REQUIRE(sni_client.done());
  CHECK(sni_engine->protocol_version() == "TLSv1.2");
  CHECK(sni_client.server_names() == std::vector<std::string>{"mail.example.com"});

  o.max_version.clear();
  o.min_version = "TLSv1.3";
  auto strict = make_engine(standard_set(o));
  Client::Settings s = client_settings();
  s.max_version = TLS1_2_VERSION;
  Client old_client(s);
  pump(old_client, *strict);
  CHECK(strict->state() == Engine::State::Failed);
}

TEST_CASE("Engine ALPN: the listener's id is accepted, only others refused, none is fine") {
  SUBCASE("imap offered among others") {
    auto engine = make_engine(standard_set("imap"));
    Client::Settings s = client_settings();
    s.alpn = {"h2", "imap"};
    Client client(s);
    pump(client, *engine);
    REQUIRE(client.done());
    CHECK(engine->alpn() == "imap");
  }
  SUBCASE("only h2 offered") {
    auto engine = make_engine(standard_set("imap"));
    Client::Settings s = client_settings();
    s.alpn = {"h2"};
    Client client(s);
    pump(client, *engine);
    CHECK(engine->state() == Engine::State::Failed);
    CHECK(engine->error() == "no application protocol");
    CHECK_FALSE(client.done());
  }
  SUBCASE("pop3 listener refuses imap") {
    auto engine = make_engine(standard_set("pop3"));
    Client::Settings s = client_settings();
    s.alpn = {"imap"};
    Client client(s);
    pump(client, *engine);
    CHECK(engine->state() == Engine::State::Failed);
  }
  SUBCASE("no ALPN offered") {
    auto engine = make_engine(standard_set("imap"));
    Client client(client_settings());
    pump(client, *engine);
    REQUIRE(client.done());
    CHECK(engine->alpn().empty());
  }
}

TEST_CASE("Engine reports garbage instead of a ClientHello as a failure with a reason") {
  auto engine = make_engine(standard_set());
  std::string plain = "a1 LOGIN alice secret\r\n";
  engine->feed_ciphertext(plain);
  Engine::Progress p = engine->process();
  CHECK(p.state == Engine::State::Failed);
  CHECK_FALSE(p.handshake_completed);
  CHECK(engine->error() == "wrong version number");
  CHECK(engine->take_plaintext().empty());
  // Further input is ignored and the state stays.
  engine->feed_ciphertext(plain);
  CHECK(engine->process().state == Engine::State::Failed);
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("Engine close: close_notify both ways") {
  auto engine = make_engine(standard_set());
  Client client(client_settings());
  pump(client, *engine);
  REQUIRE(engine->handshake_done());

  SUBCASE("server shuts down") {
    engine->shutdown();
    CHECK_FALSE(engine->write_plaintext(std::string_view("late")).ok());
    client.feed(engine->take_ciphertext());
    client.step();
    CHECK(client.closed());
  }
  SUBCASE("client shuts down") {
    client.write("a1 LOGOUT\r\n");
    SSL_shutdown(client.ssl());
    engine->feed_ciphertext(client.take());
    Engine::Progress p = engine->process();
    CHECK(p.state == Engine::State::Closed);
    CHECK(engine->take_plaintext() == "a1 LOGOUT\r\n");
    // RFC 8446 §6.1: whatever follows close_notify is ignored.
    engine->feed_ciphertext(std::string_view("\x17\x03\x03\x00\x05hello"));
    CHECK(engine->process().state == Engine::State::Closed);
    CHECK(engine->take_plaintext().empty());
  }
}

TEST_CASE("Engine keeps its ContextSet alive after the listener dropped it (reload)") {
  auto set = standard_set();
  auto engine = make_engine(set);
  set.reset();
  Client::Settings s = client_settings();
  s.sni = "mail.example.com";
  Client client(s);
  pump(client, *engine);
  REQUIRE(client.done());
  CHECK(client.server_names() == std::vector<std::string>{"mail.example.com"});
}

TEST_CASE("Engine with client_ca_file accepts clients with and without a certificate") {
  const TempDir& certs = shared_certs();
  ServerOptions o = options_for(certs, {"default.example.com"});
  o.client_ca_file = certs.file("ca.pem");
  auto set = standard_set(o);

  auto anonymous = make_engine(set);
  Client plain_client(client_settings());
  pump(plain_client, *anonymous);
  REQUIRE(plain_client.done());
  CHECK(anonymous->peer_subject().empty());

  auto with_cert = make_engine(set);
  Client::Settings s = client_settings();
  s.cert_file = certs.file("mail.example.com.pem");
  s.key_file = certs.file("mail.example.com.key");
  Client cert_client(s);
  pump(cert_client, *with_cert);
  REQUIRE(cert_client.done());
  CHECK(with_cert->handshake_done());
  CHECK(with_cert->peer_subject() == "CN=mail.example.com");
}

TEST_CASE("Engine resumes sessions from tickets of the same set, not from a reloaded one") {
  auto set = standard_set();
  Client::Settings s = client_settings();
  s.sni = "mail.example.com";
  SSL_SESSION* session = nullptr;
  {
    auto engine = make_engine(set);
    Client client(s);
    pump(client, *engine);
    REQUIRE(client.done());
    CHECK_FALSE(client.session_reused());
    // A client that vanishes without close_notify spoils its session (OpenSSL marks it not
    // resumable when the SSL is freed), so close properly.
    SSL_shutdown(client.ssl());
    session = SSL_get1_session(client.ssl());
  }
  REQUIRE(session != nullptr);
  REQUIRE(SSL_SESSION_is_resumable(session) == 1);
  {
    // The ticket is sealed with the set's rotating key (ticket_keys.h), whose name starts it.
    const unsigned char* ticket = nullptr;
    std::size_t ticket_len = 0;
    SSL_SESSION_get0_ticket(session, &ticket, &ticket_len);
    REQUIRE(ticket_len > 16);
    auto key = set->ticket_keys().sealing_key(std::time(nullptr));
    CHECK(std::equal(key.name.begin(), key.name.end(), ticket));
  }
  s.session = session;
  {
    auto engine = make_engine(set);
    Client client(s);
    pump(client, *engine);
    REQUIRE(client.done());
    CHECK(client.session_reused());
    CHECK(engine->certificate_file() == shared_certs().file("mail.example.com.pem"));
  }
  {
    auto engine = make_engine(standard_set());  // A reload: new ticket keys.
    Client client(s);
    pump(client, *engine);
    REQUIRE(client.done());
    CHECK_FALSE(client.session_reused());
  }
  SSL_SESSION_free(session);
}

TEST_CASE("Engine with client_ca_file refuses a client certificate from another CA") {
  const TempDir& certs = shared_certs();
  TempDir other;
  REQUIRE(generate(other.path(), {"stranger.example.com"}));
  ServerOptions o = options_for(certs, {"default.example.com"});
  o.client_ca_file = certs.file("ca.pem");
  auto engine = make_engine(standard_set(o));
  Client::Settings s = client_settings();
  s.cert_file = other.file("stranger.example.com.pem");
  s.key_file = other.file("stranger.example.com.key");
  Client client(s);
  pump(client, *engine);
  CHECK(engine->state() == Engine::State::Failed);
  CHECK(engine->error() == "certificate verify failed");
}
