#include "config/parser.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "config/line_lexer.h"
#include "config/parse_state.h"

namespace satchel::config {

namespace {

constexpr std::size_t kMaxErrors = 20;
constexpr std::size_t kMaxFileSize = 1 << 20;

struct SectionSpec {
  std::string_view name;
  SectionKind kind;
  bool named;
};

constexpr SectionSpec kSections[] = {
    {"server", SectionKind::Server, false},    {"limits", SectionKind::Limits, false},
    {"storage", SectionKind::Storage, false},  {"auth", SectionKind::Auth, false},
    {"tls", SectionKind::Tls, false},          {"certificate", SectionKind::Certificate, true},
    {"listener", SectionKind::Listener, true},
};

void open_section(ParseState& st, const std::string& kind, const std::string& name) {
  st.section = SectionKind::Invalid;
  const SectionSpec* spec = nullptr;
  for (const SectionSpec& s : kSections)
    if (s.name == kind) spec = &s;
  if (!spec) {
    st.fail(st.line, "unknown section [" + kind +
                         "]; known: [server], [limits], [storage], [auth], [tls], "
                         "[certificate NAME], [listener NAME]");
    return;
  }
  if (spec->named && name.empty()) {
    st.fail(st.line, "[" + kind + "] needs a name, as [" + kind +
                         (spec->kind == SectionKind::Listener ? " imaps]" : " example]"));
    return;
  }
  if (!spec->named && !name.empty()) {
    st.fail(st.line, "[" + kind + "] takes no name");
    return;
  }
  if (spec->kind == SectionKind::Listener) {
    for (std::size_t i = 0; i < st.settings.listeners.size(); ++i) {
      if (st.settings.listeners[i].name == name) {
        st.fail(st.line, "duplicate listener '" + name + "' (first at line " +
                             std::to_string(st.listener_info[i].header_line) + ")");
        return;
      }
    }
    Listener l;
    l.name = name;
    st.settings.listeners.push_back(std::move(l));
    ListenerInfo info;
    info.header_line = st.line;
    st.listener_info.push_back(info);
    st.index = st.settings.listeners.size() - 1;
  } else if (spec->kind == SectionKind::Certificate) {
    auto& certs = st.settings.tls.certificates;
    for (std::size_t i = 0; i < certs.size(); ++i) {
      if (certs[i].name == name) {
        st.fail(st.line, "duplicate certificate '" + name + "' (first at line " +
                             std::to_string(st.certificate_lines[i]) + ")");
        return;
      }
    }
    Certificate c;
    c.name = name;
    certs.push_back(std::move(c));
    st.certificate_lines.push_back(st.line);
    st.index = certs.size() - 1;
  }
  st.section = spec->kind;
}

}  // namespace

std::string_view section_name(SectionKind kind) {
  for (const SectionSpec& s : kSections)
    if (s.kind == kind) return s.name;
  return "?";
}

Result<Settings> parse_text(std::string_view text, std::string_view file_name) {
  ParseState st;
  st.file_name = file_name;
  st.settings.source_file = file_name;

  std::size_t pos = 0;
  // Some editors start UTF-8 files with a byte order mark; it is not part of the first line.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    ++st.line;
    LexedLine l = lex_line(text.substr(pos, end - pos));
    pos = end + 1;
    switch (l.type) {
      case LexedLine::Type::Blank:
        break;
      case LexedLine::Type::Error:
        st.fail(st.line, l.error);
        break;
      case LexedLine::Type::Section:
        open_section(st, l.section, l.name);
        break;
      case LexedLine::Type::Assignment:
        apply_key(st, l.key, l.value);
        break;
    }
  }
  // Whole-file checks would mostly repeat the line errors (a listener whose address was
  // refused "has no address"), so they run on a file whose lines are all correct.
  if (st.errors.empty()) cross_check(st);

  if (st.errors.empty()) return std::move(st.settings);
  std::string message;
  for (std::size_t i = 0; i < st.errors.size() && i < kMaxErrors; ++i) {
    if (i > 0) message += '\n';
    message += st.errors[i];
  }
  if (st.errors.size() > kMaxErrors)
    message +=
        "\n" + st.file_name + ": " + std::to_string(st.errors.size() - kMaxErrors) + " more errors";
  return Error::permanent("", std::move(message));
}

Result<Settings> parse_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f) return Error::permanent("", path + ": cannot read: " + std::strerror(errno));
  std::string text;
  char buf[8192];
  while (true) {
    std::size_t n = std::fread(buf, 1, sizeof buf, f.get());
    text.append(buf, n);
    if (text.size() > kMaxFileSize)
      return Error::permanent("", path + ": cannot read: larger than 1 MiB");
    if (n < sizeof buf) break;
  }
  if (std::ferror(f.get()))
    return Error::permanent("", path + ": cannot read: " + std::strerror(errno));
  return parse_text(text, path);
}

}  // namespace satchel::config
