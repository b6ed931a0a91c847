#include "config/parser.h"

#include <unistd.h>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

using namespace satchel;
using namespace satchel::config;

namespace {

// The message of a parse that must fail.
std::string error_of(std::string_view text) {
  auto r = parse_text(text, "satchel.conf");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Permanent);
  return r.error().message;
}

constexpr std::string_view kTlsSection =
    "[tls]\n"
    "cert = /etc/satchel/tls/cert.pem\n"
    "key = /etc/satchel/tls/key.pem\n";

}  // namespace

TEST_CASE("an empty file gives the documented defaults") {
  auto r = parse_text("", "empty.conf");
  REQUIRE(r.ok());
  const Settings& s = r.value();
  Settings defaults;
  CHECK(s.source_file == "empty.conf");
  CHECK(s.max_connections == defaults.max_connections);
  CHECK(s.idle_timeout_s == 30 * 60);
  CHECK(s.mail_location == "maildir:%h/Maildir");
  CHECK(s.userdb == "/var/lib/satchel/users.db");
  CHECK(s.process_model == ProcessModel::Split);
  CHECK(s.listeners.empty());
  CHECK(s.tls.certificates.empty());
}

TEST_CASE("a full file fills every section") {
  std::string text = R"(# test
[server]
user = vmail
group = "vmail"
workers = 4
process_model = single
log = syslog
log_level = debug
hostname = imap.example.com
pid_file = /run/satcheld.pid
thread_pool_size = 16

[limits]
max_connections = 500
max_connections_per_user_ip = 0
max_line = 8000
max_message_size = 1G
idle_timeout = 1h
login_timeout = 2m

[storage]
mail_root = /srv/mail
mail_location = mbox:%h/mail
pop3_mailbox = INBOX

[auth]
userdb = /srv/users.db
failure_delay = 500ms

[certificate other]
cert = /etc/other.pem

[tls]
cert = /etc/cert.pem
key = /etc/key.pem
min_version = tlsv1.3
ciphers = HIGH:!aNULL
handshake_timeout = 10s

[listener imap]
protocol = imap
address = 127.0.0.1:1143, [::1]:1143
address = 10.0.0.1:1143
tls = starttls
plaintext_auth = yes

[listener pop3s]
protocol = POP3
address = *:995
tls = implicit
)";
  auto r = parse_text(text, "full.conf");
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  const Settings& s = r.value();
  CHECK(s.user == "vmail");
  CHECK(s.group == "vmail");
  CHECK(s.workers == 4);
  CHECK(s.process_model == ProcessModel::Single);
  CHECK(s.log == "syslog");
  CHECK(s.log_level == "debug");
  CHECK(s.hostname == "imap.example.com");
  CHECK(s.pid_file == "/run/satcheld.pid");
  CHECK(s.thread_pool_size == 16);
  CHECK(s.max_connections == 500);
  CHECK(s.max_connections_per_user_ip == 0);
  CHECK(s.max_line == 8000);
  CHECK(s.max_message_size == 1ull << 30);
  CHECK(s.idle_timeout_s == 3600);
  CHECK(s.login_timeout_s == 120);
  CHECK(s.mail_root == "/srv/mail");
  CHECK(s.mail_location == "mbox:%h/mail");
  CHECK(s.userdb == "/srv/users.db");
  CHECK(s.auth_failure_delay_ms == 500);
  CHECK(s.tls.min_version == "TLSv1.3");
  CHECK(s.tls.ciphers == "HIGH:!aNULL");
  CHECK(s.tls.handshake_timeout_s == 10);
  // [tls] cert comes first (the default) even when written after [certificate ...].
  REQUIRE(s.tls.certificates.size() == 2);
  CHECK(s.tls.certificates[0].name == "default");
  CHECK(s.tls.certificates[0].cert_file == "/etc/cert.pem");
  CHECK(s.tls.certificates[0].key_file == "/etc/key.pem");
  CHECK(s.tls.certificates[1].name == "other");
  CHECK(s.tls.certificates[1].key_file.empty());

  REQUIRE(s.listeners.size() == 2);
  const Listener& imap = s.listeners[0];
  CHECK(imap.name == "imap");
  CHECK(imap.protocol == Protocol::Imap);
  CHECK(imap.addresses ==
        std::vector<std::string>{"127.0.0.1:1143", "[::1]:1143", "10.0.0.1:1143"});
  CHECK(imap.tls == TlsMode::StartTls);
  CHECK(imap.plaintext_auth);
  const Listener& pop3s = s.listeners[1];
  CHECK(pop3s.protocol == Protocol::Pop3);
  CHECK(pop3s.addresses == std::vector<std::string>{"*:995"});
  CHECK(pop3s.tls == TlsMode::Implicit);
  CHECK_FALSE(pop3s.plaintext_auth);
}

TEST_CASE("a UTF-8 byte order mark at the start is ignored") {
  auto r = parse_text("\xEF\xBB\xBF[limits]\nmax_connections = 9\n", "bom.conf");
  REQUIRE(r.ok());
  CHECK(r->max_connections == 9);
}

TEST_CASE("CRLF line ends and a missing final newline are accepted") {
  auto r = parse_text("[limits]\r\nmax_connections = 7\r\n[server]\r\nworkers = 2", "x.conf");
  REQUIRE(r.ok());
  CHECK(r->max_connections == 7);
  CHECK(r->workers == 2);
}

TEST_CASE("unknown keys and sections name file, line and section") {
  CHECK(error_of("[limits]\n\nmax_conection = 5\n") ==
        "satchel.conf:3: unknown key 'max_conection' in [limits]");
  CHECK(error_of("[server]\nmax_connections = 5\n") ==
        "satchel.conf:2: unknown key 'max_connections' in [server] (it belongs in [limits])");
  CHECK(error_of("workers = 2\n") ==
        "satchel.conf:1: key 'workers' outside any section (it belongs in [server])");
  CHECK(error_of("[listener a]\ncert = /x\n") ==
        "satchel.conf:2: unknown key 'cert' in [listener a] (it belongs in [tls])");
  CHECK(error_of("[imap]\nfoo = 1\n").rfind("satchel.conf:1: unknown section [imap]; known:", 0) ==
        0);
  CHECK(error_of("[listener]\n") == "satchel.conf:1: [listener] needs a name, as [listener imaps]");
  CHECK(error_of("[limits x]\n") == "satchel.conf:1: [limits] takes no name");
}

TEST_CASE("bad values say what was expected") {
  CHECK(error_of("[limits]\nmax_connections = abc\n") ==
        "satchel.conf:2: bad value 'abc' for max_connections: expected a number");
  CHECK(error_of("[limits]\nmax_connections = 0\n") ==
        "satchel.conf:2: bad value '0' for max_connections: must be between 1 and 10000000");
  CHECK(error_of("[limits]\nmax_message_size = 10X\n") ==
        "satchel.conf:2: bad value '10X' for max_message_size: expected a size such as 512, "
        "64k, 64M or 1G");
  CHECK(error_of("[limits]\nmax_line = 1k\n") ==
        "satchel.conf:2: bad value '1k' for max_line: must be at least 8000 bytes");
  CHECK(error_of("[limits]\nlogin_timeout = 1500ms\n") ==
        "satchel.conf:2: bad value '1500ms' for login_timeout: must be a whole number of seconds");
  CHECK(error_of("[server]\nlog = file\n") ==
        "satchel.conf:2: bad value 'file' for log: expected stderr or syslog");
  CHECK(error_of("[server]\nlog_level = loud\n") ==
        "satchel.conf:2: bad value 'loud' for log_level: expected debug, info, warning or error");
  CHECK(error_of("[storage]\nmail_root = relative/path\n") ==
        "satchel.conf:2: bad value 'relative/path' for mail_root: expected an absolute path");
  CHECK(error_of("[storage]\nmail_location = imap:foo\n") ==
        "satchel.conf:2: bad value 'imap:foo' for mail_location: expected maildir:PATH or "
        "mbox:PATH");
  CHECK(error_of("[tls]\nmin_version = SSLv3\n") ==
        "satchel.conf:2: bad value 'SSLv3' for min_version: expected TLSv1, TLSv1.1, TLSv1.2 or "
        "TLSv1.3");
  CHECK(error_of("[listener a]\nprotocol = smtp\n") ==
        "satchel.conf:2: bad value 'smtp' for protocol: expected imap or pop3");
  CHECK(error_of("[listener a]\nprotocol = imap\naddress = *:143\nplaintext_auth = maybe\n") ==
        "satchel.conf:4: bad value 'maybe' for plaintext_auth: expected yes or no");
  CHECK(error_of("[listener a]\nprotocol = imap\naddress = ::1:143\n") ==
        "satchel.conf:3: bad value '::1:143' for address: IPv6 addresses must be in brackets, "
        "as [::1]:143");
  CHECK(error_of("[listener a]\nprotocol = imap\naddress = *:143,\n") ==
        "satchel.conf:3: bad value '*:143,' for address: empty address in list");
}

TEST_CASE("idle_timeout below 30 minutes is refused (RFC 3501 §5.4)") {
  CHECK(error_of("[limits]\nidle_timeout = 29m\n") ==
        "satchel.conf:2: bad value '29m' for idle_timeout: must be at least 30m");
  CHECK(error_of("[limits]\nidle_timeout = 1799\n") ==
        "satchel.conf:2: bad value '1799' for idle_timeout: must be at least 30m");
  auto ok = parse_text("[limits]\nidle_timeout = 1800\n", "x.conf");
  REQUIRE(ok.ok());
  CHECK(ok->idle_timeout_s == 1800);
}

TEST_CASE("duplicate keys, listeners and certificates point at the first one") {
  CHECK(error_of("[limits]\nmax_line = 8k\n\n[limits]\nmax_line = 9k\n") ==
        "satchel.conf:5: duplicate key 'max_line' in [limits] (first set at line 2)");
  CHECK(error_of("[listener a]\nprotocol = imap\naddress = *:1\n[listener a]\n") ==
        "satchel.conf:4: duplicate listener 'a' (first at line 1)");
  CHECK(error_of("[certificate c]\ncert = /a\n[certificate c]\ncert = /b\n") ==
        "satchel.conf:3: duplicate certificate 'c' (first at line 1)");
}

TEST_CASE("listener cross-checks") {
  CHECK(error_of("[listener imap]\nprotocol = imap\n") ==
        "satchel.conf:1: listener 'imap' has no address");
  CHECK(error_of("[listener imap]\naddress = *:143\n") ==
        "satchel.conf:1: listener 'imap' has no protocol (imap or pop3)");
  CHECK(error_of("[listener imaps]\nprotocol = imap\naddress = *:993\ntls = implicit\n") ==
        "satchel.conf:4: listener 'imaps': tls = implicit needs a certificate in [tls]");
  CHECK(error_of("[listener imap]\nprotocol = imap\ntls = starttls\naddress = *:143\n") ==
        "satchel.conf:3: listener 'imap': tls = starttls needs a certificate in [tls]");
  // A [certificate NAME] alone is enough.
  CHECK(parse_text("[certificate c]\ncert = /c.pem\n[listener imaps]\nprotocol = imap\n"
                   "address = *:993\ntls = implicit\n",
                   "x.conf")
            .ok());
}

TEST_CASE("overlapping addresses across and within listeners") {
  std::string text = std::string(kTlsSection) +
                     "[listener a]\nprotocol = imap\naddress = *:143\n"  // lines 4-6
                     "[listener b]\nprotocol = pop3\n"
                     "address = 127.0.0.1:143\n";  // line 9
  CHECK(error_of(text) ==
        "satchel.conf:9: listener 'b': address 127.0.0.1:143 overlaps *:143 of listener 'a' "
        "(line 6)");
  CHECK(error_of("[listener a]\nprotocol = imap\naddress = [::1]:143, [0::1]:143\n") ==
        "satchel.conf:3: listener 'a': address [::1]:143 overlaps [::1]:143 of listener 'a' "
        "(line 3)");
  // Different ports and different families of specific addresses do not collide.
  CHECK(parse_text("[listener a]\nprotocol = imap\naddress = 0.0.0.0:143, [::]:143\n"
                   "[listener b]\nprotocol = imap\naddress = 127.0.0.1:1143\n",
                   "x.conf")
            .ok());
}

TEST_CASE("[tls] checks: key without cert, max below min") {
  CHECK(error_of("[tls]\nkey = /k.pem\n") == "satchel.conf:2: [tls] has a key but no cert");
  CHECK(error_of("[tls]\nmin_version = TLSv1.3\nmax_version = TLSv1.2\n") ==
        "satchel.conf:3: max_version TLSv1.2 is below min_version TLSv1.3");
  CHECK(error_of("[tls]\ncert = /c.pem\n[certificate default]\ncert = /d.pem\n") ==
        "satchel.conf:3: certificate name 'default' is taken by the [tls] certificate");
  CHECK(error_of("[certificate c]\nkey = /k.pem\n") ==
        "satchel.conf:1: certificate 'c' has no cert");
}

TEST_CASE("every error of the file is reported, each with its line") {
  std::string msg = error_of("[limits]\nmax_connections = x\nbogus = 1\n[server]\nworkers = -1\n");
  CHECK(msg ==
        "satchel.conf:2: bad value 'x' for max_connections: expected a number\n"
        "satchel.conf:3: unknown key 'bogus' in [limits]\n"
        "satchel.conf:5: bad value '-1' for workers: expected a number");
}

TEST_CASE("keys under a refused section header are not reported again") {
  CHECK(error_of("[nosuch]\na = 1\nb = 2\n").find('\n') == std::string::npos);
}

TEST_CASE("more than 20 errors are summarised") {
  std::string text = "[limits]\n";
  for (int i = 0; i < 25; ++i) text += "nope" + std::to_string(i) + " = 1\n";
  std::string msg = error_of(text);
  CHECK(msg.find("satchel.conf:21: unknown key 'nope19'") != std::string::npos);
  CHECK(msg.find("nope20") == std::string::npos);
  CHECK(msg.substr(msg.rfind('\n') + 1) == "satchel.conf: 5 more errors");
}

TEST_CASE("parse_file reads a file and names it in errors") {
  auto dir = std::filesystem::temp_directory_path();
  auto path = (dir / ("satchel_parser_test_" + std::to_string(::getpid()) + ".conf")).string();
  {
    std::ofstream out(path);
    out << "[limits]\nmax_connections = 12\n";
  }
  auto ok = parse_file(path);
  REQUIRE(ok.ok());
  CHECK(ok->max_connections == 12);
  CHECK(ok->source_file == path);
  {
    std::ofstream out(path);
    out << "[limits]\nmax_connections = twelve\n";
  }
  auto bad = parse_file(path);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.rfind(path + ":2: bad value 'twelve'", 0) == 0);
  std::filesystem::remove(path);

  auto missing = parse_file(path);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == path + ": cannot read: No such file or directory");
}
