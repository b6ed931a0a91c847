// Checks that need the whole file: listeners and certificates that do not fit together.
#include "config/parse_state.h"

namespace satchel::config {

namespace {

std::string_view tls_word(TlsMode m) {
  switch (m) {
    case TlsMode::None:
      return "none";
    case TlsMode::StartTls:
      return "starttls";
    case TlsMode::Implicit:
      return "implicit";
  }
  return "?";
}

int tls_version_rank(const std::string& v) {
  if (v == "TLSv1") return 0;
  if (v == "TLSv1.1") return 1;
  if (v == "TLSv1.2") return 2;
  return 3;
}

void check_certificates(ParseState& st) {
  auto& certs = st.settings.tls.certificates;
  for (std::size_t i = 0; i < certs.size(); ++i)
    if (certs[i].cert_file.empty())
      st.fail(st.certificate_lines[i], "certificate '" + certs[i].name + "' has no cert");
  if (st.tls_default) {
    for (std::size_t i = 0; i < certs.size(); ++i)
      if (certs[i].name == st.tls_default->name)
        st.fail(st.certificate_lines[i],
                "certificate name '" + certs[i].name + "' is taken by the [tls] certificate");
    if (st.tls_default->cert_file.empty()) {
      st.fail(st.tls_key_line, "[tls] has a key but no cert");
    } else {
      certs.insert(certs.begin(), *st.tls_default);
      st.certificate_lines.insert(st.certificate_lines.begin(), 0);
    }
  }
  const Tls& tls = st.settings.tls;
  if (!tls.max_version.empty() &&
      tls_version_rank(tls.max_version) < tls_version_rank(tls.min_version))
    st.fail(st.tls_max_line ? st.tls_max_line : st.tls_min_line,
            "max_version " + tls.max_version + " is below min_version " + tls.min_version);
}

void check_listeners(ParseState& st) {
  const auto& listeners = st.settings.listeners;
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    const Listener& l = listeners[i];
    const ListenerInfo& info = st.listener_info[i];
    if (!info.has_protocol)
      st.fail(info.header_line, "listener '" + l.name + "' has no protocol (imap or pop3)");
    if (info.addresses.empty())
      st.fail(info.header_line, "listener '" + l.name + "' has no address");
    if (l.tls != TlsMode::None && st.settings.tls.certificates.empty())
      st.fail(info.tls_line, "listener '" + l.name + "': tls = " + std::string(tls_word(l.tls)) +
                                 " needs a certificate in [tls]");
  }
  // Two listeners (or one listener twice) on the same socket: binding would fail, or with
  // SO_REUSEPORT silently split connections between two protocols.
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    for (std::size_t a = 0; a < st.listener_info[i].addresses.size(); ++a) {
      const auto& [addr, line] = st.listener_info[i].addresses[a];
      bool reported = false;
      for (std::size_t j = 0; j <= i && !reported; ++j) {
        std::size_t limit = (j == i) ? a : st.listener_info[j].addresses.size();
        for (std::size_t b = 0; b < limit && !reported; ++b) {
          const auto& [other, other_line] = st.listener_info[j].addresses[b];
          if (!addresses_overlap(addr, other)) continue;
          st.fail(line, "listener '" + listeners[i].name + "': address " + addr.to_string() +
                            " overlaps " + other.to_string() + " of listener '" +
                            listeners[j].name + "' (line " + std::to_string(other_line) + ")");
          reported = true;
        }
      }
    }
  }
}

}  // namespace

void cross_check(ParseState& st) {
  check_certificates(st);
  check_listeners(st);
}

std::string format_duration_ms(std::uint64_t ms) {
  if (ms == 0) return "0s";
  if (ms % 1000 != 0) return std::to_string(ms) + "ms";
  std::uint64_t s = ms / 1000;
  if (s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

}  // namespace satchel::config
