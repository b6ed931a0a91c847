// Internal state of one parse of satchel.conf, shared by parser.cpp, keys.cpp and checks.cpp.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/address.h"
#include "config/settings.h"

namespace satchel::config {

enum class SectionKind { None, Invalid, Server, Limits, Storage, Auth, Tls, Certificate, Listener };

// What the cross-checks need to know about a listener beyond its Settings entry.
struct ListenerInfo {
  unsigned header_line = 0;
  unsigned tls_line = 0;
  bool has_protocol = false;
  std::vector<std::pair<Address, unsigned>> addresses;  // With the line of each.
};

struct ParseState {
  std::string file_name;
  Settings settings;
  unsigned line = 0;  // The line being parsed.

  SectionKind section = SectionKind::None;
  std::size_t index = 0;  // Current listener or certificate (an index: the vectors grow).

  std::vector<ListenerInfo> listener_info;  // Parallel to settings.listeners.
  std::vector<unsigned> certificate_lines;  // Parallel to settings.tls.certificates.
  std::optional<Certificate> tls_default;   // [tls] cert/key; put first at the end.
  unsigned tls_key_line = 0;
  unsigned tls_min_line = 0;
  unsigned tls_max_line = 0;

  std::map<std::string, unsigned> seen_keys;  // "section/key" -> line, for duplicates.
  std::vector<std::string> errors;            // Complete "file:line: reason" strings.

  Listener& listener() { return settings.listeners[index]; }
  ListenerInfo& info() { return listener_info[index]; }
  Certificate& certificate() { return settings.tls.certificates[index]; }

  void fail(unsigned at_line, std::string_view reason) {
    errors.push_back(file_name + ":" + std::to_string(at_line) + ": " + std::string(reason));
  }
};

// Section names as written in the file ("limits"), for messages.
std::string_view section_name(SectionKind kind);

// Applies `key = value` in the current section. Adds an error to `st` on failure.
void apply_key(ParseState& st, const std::string& key, const std::string& value);

// The checks that need the whole file (listeners, certificates); adds errors to `st`.
void cross_check(ParseState& st);

// "30m", "1h", "90s", "500ms": a duration for messages and documentation.
std::string format_duration_ms(std::uint64_t ms);

}  // namespace satchel::config
