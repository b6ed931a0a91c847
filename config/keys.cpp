// The table of satchel.conf keys: which section each belongs to and how its value is checked
// and stored. docs/configuration.md documents every row.
#include <array>
#include <initializer_list>
#include <limits>

#include "base/ascii.h"
#include "base/cidr.h"
#include "config/parse_state.h"
#include "config/value.h"

namespace satchel::config {

namespace {

// A setter stores the value and returns empty, or returns why the value is refused.
using Setter = std::string (*)(ParseState&, const std::string&);

struct KeySpec {
  SectionKind section;
  std::string_view key;
  Setter set;
  bool repeatable = false;
};

template <typename T>
std::string set_number(const std::string& v, std::uint64_t min, std::uint64_t max, T& out) {
  auto n = parse_number(v);
  if (!n.ok()) return n.reason();
  if (n.value() < min || n.value() > max)
    return "must be between " + std::to_string(min) + " and " + std::to_string(max);
  out = static_cast<T>(n.value());
  return {};
}

template <typename T>
std::string set_size(const std::string& v, std::uint64_t min, std::uint64_t max, T& out) {
  auto n = parse_size(v);
  if (!n.ok()) return n.reason();
  if (n.value() < min) return "must be at least " + std::to_string(min) + " bytes";
  if (n.value() > max) return "must be at most " + std::to_string(max) + " bytes";
  out = static_cast<T>(n.value());
  return {};
}

// Stores a duration in the unit `unit_ms` (1000 for seconds, 1 for milliseconds).
template <typename T>
std::string set_duration(const std::string& v, std::uint64_t min_ms, std::uint64_t max_ms,
                         std::uint64_t unit_ms, T& out) {
  auto d = parse_duration_ms(v);
  if (!d.ok()) return d.reason();
  if (d.value() % unit_ms != 0) return "must be a whole number of seconds";
  if (d.value() < min_ms) return "must be at least " + format_duration_ms(min_ms);
  if (d.value() > max_ms) return "must be at most " + format_duration_ms(max_ms);
  out = static_cast<T>(d.value() / unit_ms);
  return {};
}

std::string set_bool(const std::string& v, bool& out) {
  auto b = parse_bool(v);
  if (!b.ok()) return b.reason();
  out = b.value();
  return {};
}

// One of a fixed list of words (case-insensitive); stores the index.
std::string set_choice(const std::string& v, std::initializer_list<std::string_view> words,
                       std::size_t& out) {
  std::size_t i = 0;
  for (std::string_view w : words) {
    if (ascii::iequals(v, w)) {
      out = i;
      return {};
    }
    ++i;
  }
  std::string reason = "expected ";
  i = 0;
  for (std::string_view w : words) {
    if (i > 0) reason += (i + 1 == words.size()) ? " or " : ", ";
    reason += w;
    ++i;
  }
  return reason;
}

std::string set_word(const std::string& v, std::initializer_list<std::string_view> words,
                     std::string& out) {
  std::size_t i = 0;
  std::string reason = set_choice(v, words, i);
  if (reason.empty()) out = *(words.begin() + i);
  return reason;
}

std::string set_string(const std::string& v, std::string& out) {
  out = v;
  return {};
}

std::string set_path(const std::string& v, std::string& out) {
  if (v.empty()) return "expected a path";
  out = v;
  return {};
}

// An absolute path; relative ones would depend on the daemon's working directory.
std::string set_absolute_path(const std::string& v, std::string& out) {
  if (v.empty() || v.front() != '/') return "expected an absolute path";
  out = v;
  return {};
}

std::string set_tls_version(const std::string& v, std::string& out, bool allow_empty) {
  if (v.empty() && allow_empty) {
    out.clear();
    return {};
  }
  return set_word(v, {"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}, out);
}

std::string set_mail_location(const std::string& v, std::string& out) {
  if (!ascii::istarts_with(v, "maildir:") && !ascii::istarts_with(v, "mbox:"))
    return "expected maildir:PATH or mbox:PATH";
  out = v;
  return {};
}

std::string add_addresses(ParseState& st, const std::string& v) {
  std::string_view rest = v;
  if (rest.empty()) return "expected host:port";
  while (true) {
    std::size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.empty()) return "empty address in list";
    auto a = parse_address(item);
    if (!a.ok()) return a.error().message;
    st.listener().addresses.push_back(a->to_string());
    st.info().addresses.emplace_back(a.value(), st.line);
    if (comma == std::string_view::npos) return {};
    rest = rest.substr(comma + 1);
  }
}

// A list of words separated by spaces or commas.
std::vector<std::string> split_words(const std::string& v) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == ',') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

std::string set_backends(const std::string& v, std::vector<std::string>& out) {
  auto words = split_words(v);
  if (words.empty()) return "expected one or more of sqlite, pam, sasl";
  std::vector<std::string> seen;
  for (auto& w : words) {
    std::string lower = ascii::lower(w);
    if (lower != "sqlite" && lower != "pam" && lower != "sasl")
      return "unknown backend '" + w + "' (expected sqlite, pam or sasl)";
    for (auto& s : seen)
      if (s == lower) return "backend '" + w + "' listed twice";
    seen.push_back(lower);
  }
  out = seen;
  return {};
}

std::string set_mechanisms(const std::string& v, std::vector<std::string>& out) {
  static constexpr std::string_view kKnown[] = {
      "PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256", "GSSAPI"};
  std::vector<std::string> list;
  for (auto& w : split_words(v)) {
    std::string upper = ascii::upper(w);
    bool known = false;
    for (auto k : kKnown) known = known || k == upper;
    if (!known)
      return "unknown mechanism '" + w +
             "' (known: PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 GSSAPI)";
    list.push_back(upper);
  }
  out = list;
  return {};
}

std::string set_networks(const std::string& v, std::vector<std::string>& out) {
  std::string bad;
  if (!parse_cidr_list(v, &bad)) return "'" + bad + "' is not an address or ADDRESS/BITS prefix";
  out = split_words(v);
  return {};
}

Certificate& tls_default(ParseState& st) {
  if (!st.tls_default) {
    st.tls_default.emplace();
    st.tls_default->name = "default";
  }
  return *st.tls_default;
}

constexpr std::uint64_t kUnsignedMax = std::numeric_limits<unsigned>::max();
constexpr std::uint64_t kSecond = 1000;
constexpr std::uint64_t kMinute = 60 * kSecond;
constexpr std::uint64_t kDay = 24 * 60 * kMinute;

using S = SectionKind;

const std::array kKeys = {
    // [server]
    KeySpec{S::Server, "user", [](ParseState& st, const std::string& v) {
      return set_string(v, st.settings.user); }},
    KeySpec{S::Server, "group", [](ParseState& st, const std::string& v) {
      return set_string(v, st.settings.group); }},
    KeySpec{S::Server, "workers", [](ParseState& st, const std::string& v) {
      return set_number(v, 0, 1024, st.settings.workers); }},
    KeySpec{S::Server, "process_model", [](ParseState& st, const std::string& v) {
      std::size_t i = 0;
      std::string r = set_choice(v, {"split", "single"}, i);
      if (r.empty())
        st.settings.process_model = i == 0 ? ProcessModel::Split : ProcessModel::Single;
      return r; }},
    KeySpec{S::Server, "log", [](ParseState& st, const std::string& v) {
      return set_word(v, {"stderr", "syslog"}, st.settings.log); }},
    KeySpec{S::Server, "log_level", [](ParseState& st, const std::string& v) {
      return set_word(v, {"debug", "info", "warning", "error"}, st.settings.log_level); }},
    KeySpec{S::Server, "hostname", [](ParseState& st, const std::string& v) {
      return set_string(v, st.settings.hostname); }},
    KeySpec{S::Server, "pid_file", [](ParseState& st, const std::string& v) {
      if (v.empty()) { st.settings.pid_file.clear(); return std::string(); }
      return set_absolute_path(v, st.settings.pid_file); }},
    KeySpec{S::Server, "thread_pool_size", [](ParseState& st, const std::string& v) {
      // libuv caps its pool at 1024 threads.
      return set_number(v, 1, 1024, st.settings.thread_pool_size); }},
    KeySpec{S::Server, "login_user", [](ParseState& st, const std::string& v) {
      if (v.empty()) return std::string("expected a user name");
      return set_string(v, st.settings.login_user); }},
    KeySpec{S::Server, "login_group", [](ParseState& st, const std::string& v) {
      return set_string(v, st.settings.login_group); }},
    KeySpec{S::Server, "login_chroot", [](ParseState& st, const std::string& v) {
      if (v.empty()) { st.settings.login_chroot.clear(); return std::string(); }
      return set_absolute_path(v, st.settings.login_chroot); }},
    KeySpec{S::Server, "mail_workers", [](ParseState& st, const std::string& v) {
      return set_number(v, 0, 1024, st.settings.mail_workers); }},
    KeySpec{S::Server, "user_worker_idle", [](ParseState& st, const std::string& v) {
      return set_duration(v, kSecond, kDay, kSecond, st.settings.user_worker_idle_s); }},

    // [limits]
    KeySpec{S::Limits, "max_connections", [](ParseState& st, const std::string& v) {
      return set_number(v, 1, 10'000'000, st.settings.max_connections); }},
    KeySpec{S::Limits, "max_connections_per_user_ip", [](ParseState& st, const std::string& v) {
      return set_number(v, 0, kUnsignedMax, st.settings.max_connections_per_user_ip); }},
    KeySpec{S::Limits, "max_line", [](ParseState& st, const std::string& v) {
      // RFC 2683 §3.2.1.5: a server should allow a command line of at least 8000 octets.
      return set_size(v, 8000, 1ull << 30, st.settings.max_line); }},
    KeySpec{S::Limits, "max_message_size", [](ParseState& st, const std::string& v) {
      // An IMAP literal size is a number up to 2^32-1 octets (RFC 3501 §4.3, number).
      return set_size(v, 1024, 0xffffffffull, st.settings.max_message_size); }},
    KeySpec{S::Limits, "idle_timeout", [](ParseState& st, const std::string& v) {
      // RFC 3501 §5.4: an autologout timer MUST be at least 30 minutes.
      return set_duration(v, 30 * kMinute, 7 * kDay, kSecond, st.settings.idle_timeout_s); }},
    KeySpec{S::Limits, "login_timeout", [](ParseState& st, const std::string& v) {
      return set_duration(v, kSecond, kDay, kSecond, st.settings.login_timeout_s); }},

    // [storage]
    KeySpec{S::Storage, "mail_root", [](ParseState& st, const std::string& v) {
      return set_absolute_path(v, st.settings.mail_root); }},
    KeySpec{S::Storage, "mail_location", [](ParseState& st, const std::string& v) {
      return set_mail_location(v, st.settings.mail_location); }},
    KeySpec{S::Storage, "pop3_mailbox", [](ParseState& st, const std::string& v) {
      if (v.empty()) return std::string("expected a mailbox name");
      return set_string(v, st.settings.pop3_mailbox); }},

    // [auth]
    KeySpec{S::Auth, "userdb", [](ParseState& st, const std::string& v) {
      return set_absolute_path(v, st.settings.userdb); }},
    KeySpec{S::Auth, "failure_delay", [](ParseState& st, const std::string& v) {
      return set_duration(v, 0, kMinute, 1, st.settings.auth_failure_delay_ms); }},
    KeySpec{S::Auth, "failure_delay_max", [](ParseState& st, const std::string& v) {
      return set_duration(v, 0, 10 * kMinute, 1, st.settings.auth_failure_delay_max_ms); }},
    KeySpec{S::Auth, "trusted_networks", [](ParseState& st, const std::string& v) {
      return set_networks(v, st.settings.auth_trusted_networks); }},
    KeySpec{S::Auth, "backends", [](ParseState& st, const std::string& v) {
      return set_backends(v, st.settings.auth_backends); }},
    KeySpec{S::Auth, "admins", [](ParseState& st, const std::string& v) {
      st.settings.auth_admins = split_words(v);
      return std::string(); }},
    KeySpec{S::Auth, "pam_service", [](ParseState& st, const std::string& v) {
      if (v.empty() || v.find('/') != std::string::npos)
        return std::string("expected a PAM service name (a file name in /etc/pam.d)");
      return set_string(v, st.settings.pam_service); }},
    KeySpec{S::Auth, "pam_mail_location", [](ParseState& st, const std::string& v) {
      return set_mail_location(v, st.settings.pam_mail_location); }},
    KeySpec{S::Auth, "pam_first_valid_uid", [](ParseState& st, const std::string& v) {
      return set_number(v, 1, kUnsignedMax, st.settings.pam_first_valid_uid); }},
    KeySpec{S::Auth, "sasl_config_dir", [](ParseState& st, const std::string& v) {
      if (v.empty()) { st.settings.sasl_config_dir.clear(); return std::string(); }
      return set_absolute_path(v, st.settings.sasl_config_dir); }},
    KeySpec{S::Auth, "sasldb_path", [](ParseState& st, const std::string& v) {
      if (v.empty()) { st.settings.sasldb_path.clear(); return std::string(); }
      return set_absolute_path(v, st.settings.sasldb_path); }},
    KeySpec{S::Auth, "sasl_realm", [](ParseState& st, const std::string& v) {
      return set_string(v, st.settings.sasl_realm); }},
    KeySpec{S::Auth, "sasl_mechanisms", [](ParseState& st, const std::string& v) {
      return set_mechanisms(v, st.settings.sasl_mechanisms); }},
    KeySpec{S::Auth, "sasl_keytab", [](ParseState& st, const std::string& v) {
      if (v.empty()) { st.settings.sasl_keytab.clear(); return std::string(); }
      return set_absolute_path(v, st.settings.sasl_keytab); }},
    KeySpec{S::Auth, "sasl_checkpass_via_userdb", [](ParseState& st, const std::string& v) {
      return set_bool(v, st.settings.sasl_checkpass_via_userdb); }},

    // [tls]
    KeySpec{S::Tls, "cert", [](ParseState& st, const std::string& v) {
      return set_path(v, tls_default(st).cert_file); }},
    KeySpec{S::Tls, "key", [](ParseState& st, const std::string& v) {
      st.tls_key_line = st.line;
      return set_path(v, tls_default(st).key_file); }},
    KeySpec{S::Tls, "certificate_dir", [](ParseState& st, const std::string& v) {
      return set_string(v, st.settings.tls.certificate_dir); }},
    KeySpec{S::Tls, "min_version", [](ParseState& st, const std::string& v) {
      st.tls_min_line = st.line;
      return set_tls_version(v, st.settings.tls.min_version, false); }},
    KeySpec{S::Tls, "max_version", [](ParseState& st, const std::string& v) {
      st.tls_max_line = st.line;
      return set_tls_version(v, st.settings.tls.max_version, true); }},
    KeySpec{S::Tls, "ciphers", [](ParseState& st, const std::string& v) {
      return set_string(v, st.settings.tls.ciphers); }},
    KeySpec{S::Tls, "ciphersuites", [](ParseState& st, const std::string& v) {
      return set_string(v, st.settings.tls.ciphersuites); }},
    KeySpec{S::Tls, "groups", [](ParseState& st, const std::string& v) {
      return set_string(v, st.settings.tls.groups); }},
    KeySpec{S::Tls, "client_ca_file", [](ParseState& st, const std::string& v) {
      return set_string(v, st.settings.tls.client_ca_file); }},
    KeySpec{S::Tls, "handshake_timeout", [](ParseState& st, const std::string& v) {
      return set_duration(v, kSecond, 10 * kMinute, kSecond,
                          st.settings.tls.handshake_timeout_s); }},

    // [certificate NAME]
    KeySpec{S::Certificate, "cert", [](ParseState& st, const std::string& v) {
      return set_path(v, st.certificate().cert_file); }},
    KeySpec{S::Certificate, "key", [](ParseState& st, const std::string& v) {
      return set_path(v, st.certificate().key_file); }},

    // [listener NAME]
    KeySpec{S::Listener, "protocol", [](ParseState& st, const std::string& v) {
      std::size_t i = 0;
      std::string r = set_choice(v, {"imap", "pop3"}, i);
      if (r.empty()) {
        st.listener().protocol = i == 0 ? Protocol::Imap : Protocol::Pop3;
        st.info().has_protocol = true;
      }
      return r; }},
    KeySpec{S::Listener, "address", add_addresses, true},
    KeySpec{S::Listener, "tls", [](ParseState& st, const std::string& v) {
      std::size_t i = 0;
      std::string r = set_choice(v, {"none", "starttls", "implicit"}, i);
      if (r.empty()) {
        st.listener().tls = i == 0 ? TlsMode::None : i == 1 ? TlsMode::StartTls : TlsMode::Implicit;
        st.info().tls_line = st.line;
      }
      return r; }},
    KeySpec{S::Listener, "plaintext_auth", [](ParseState& st, const std::string& v) {
      return set_bool(v, st.listener().plaintext_auth); }},
};

std::string section_label(const ParseState& st) {
  std::string label = "[" + std::string(section_name(st.section));
  if (st.section == S::Listener) label += " " + st.settings.listeners[st.index].name;
  if (st.section == S::Certificate) label += " " + st.settings.tls.certificates[st.index].name;
  return label + "]";
}

}  // namespace

void apply_key(ParseState& st, const std::string& key, const std::string& value) {
  if (st.section == S::Invalid) return;  // The section header already got an error.
  const KeySpec* spec = nullptr;
  const KeySpec* elsewhere = nullptr;
  for (const KeySpec& k : kKeys) {
    if (k.key != key) continue;
    if (k.section == st.section)
      spec = &k;
    else if (!elsewhere)
      elsewhere = &k;
  }
  if (!spec) {
    std::string hint;
    if (elsewhere)
      hint = " (it belongs in [" + std::string(section_name(elsewhere->section)) +
             (elsewhere->section == S::Listener      ? " NAME"
              : elsewhere->section == S::Certificate ? " NAME"
                                                     : "") +
             "])";
    if (st.section == S::None)
      st.fail(st.line, "key '" + key + "' outside any section" + hint);
    else
      st.fail(st.line, "unknown key '" + key + "' in " + section_label(st) + hint);
    return;
  }
  if (!spec->repeatable) {
    std::string id = section_label(st) + "/" + key;
    auto [it, inserted] = st.seen_keys.emplace(id, st.line);
    if (!inserted) {
      st.fail(st.line, "duplicate key '" + key + "' in " + section_label(st) +
                           " (first set at line " + std::to_string(it->second) + ")");
      return;
    }
  }
  std::string reason = spec->set(st, value);
  if (!reason.empty()) st.fail(st.line, "bad value '" + value + "' for " + key + ": " + reason);
}

}  // namespace satchel::config
