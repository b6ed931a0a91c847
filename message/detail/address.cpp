#include "message/detail/address.h"

#include <cstddef>

namespace satchel::message::detail {

namespace {

enum class Tok { Atom, Quoted, Comment, Literal, Special };

struct Token {
  Tok kind;
  std::string text;  // Atom text, unquoted content, comment content, [literal], or the char.
};

bool is_special(char c) {
  return c == '<' || c == '>' || c == ':' || c == ';' || c == '@' || c == ',';
}

bool is_atom_char(char c) {
  return !(is_special(c) || c == '(' || c == ')' || c == '"' || c == '[' || c == ']' || c == ' ' ||
           c == '\t' || c == '\r' || c == '\n');
}

std::string trim(std::string s) {
  std::size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  std::size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ')' || c == ']') {
      ++i;  // Whitespace, and stray closers, which have nothing to close.
    } else if (c == '(') {
      std::string text;
      int depth = 0;
      while (i < s.size()) {
        char d = s[i++];
        if (d == '\\' && i < s.size()) {
          if (depth > 0) text.push_back(s[i]);
          ++i;
          continue;
        }
        if (d == '(' && depth++ == 0) continue;
        if (d == ')' && --depth == 0) break;
        text.push_back(d);
      }
      out.push_back({Tok::Comment, trim(std::move(text))});
    } else if (c == '"') {
      std::string text;
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        text.push_back(s[i++]);
      }
      if (i < s.size()) ++i;
      out.push_back({Tok::Quoted, std::move(text)});
    } else if (c == '[') {
      std::size_t e = s.find(']', i);
      e = e == std::string_view::npos ? s.size() : e + 1;
      out.push_back({Tok::Literal, std::string(s.substr(i, e - i))});
      i = e;
    } else if (is_special(c)) {
      out.push_back({Tok::Special, std::string(1, c)});
      ++i;
    } else {
      std::size_t b = i;
      while (i < s.size() && is_atom_char(s[i])) ++i;
      out.push_back({Tok::Atom, std::string(s.substr(b, i - b))});
    }
  }
  return out;
}

class AddressParser {
 public:
  explicit AddressParser(std::vector<Token> toks) : t_(std::move(toks)) {}

  std::vector<Address> run() {
    while (i_ < t_.size()) one();
    if (in_group_) out_.push_back(Address{});
    return std::move(out_);
  }

 private:
  bool special(char c) const {
    return i_ < t_.size() && t_[i_].kind == Tok::Special && t_[i_].text[0] == c;
  }

  static std::optional<std::string> opt(std::string s) {
    if (s.empty()) return std::nullopt;
    return s;
  }

  void emit(std::optional<std::string> name, std::optional<std::string> adl, std::string mailbox,
            std::string host) {
    if (mailbox.empty()) mailbox = kMissingMailbox;
    if (host.empty()) host = kMissingDomain;
    out_.push_back(Address{std::move(name), std::move(adl), std::move(mailbox), std::move(host)});
  }

  // Text of tokens up to (not including) one of the stop characters, without spaces; comments
  // are remembered in `comment_`.
  std::string collect_until(std::string_view stops) {
    std::string text;
    while (i_ < t_.size()) {
      const Token& tok = t_[i_];
      if (tok.kind == Tok::Special && stops.find(tok.text[0]) != std::string_view::npos) break;
      if (tok.kind == Tok::Comment) {
        if (!tok.text.empty()) comment_ = tok.text;
      } else {
        text += tok.text;
      }
      ++i_;
    }
    return text;
  }

  void one() {
    comment_.clear();
    std::vector<std::string> words;
    while (i_ < t_.size()) {
      const Token& tok = t_[i_];
      if (tok.kind == Tok::Special && tok.text[0] != '>') break;
      if (tok.kind == Tok::Comment) {
        if (!tok.text.empty()) comment_ = tok.text;
      } else if (tok.kind != Tok::Special) {
        words.push_back(tok.text);
      }
      ++i_;
    }
    auto phrase = [&] {
      std::string s;
      for (const auto& w : words) {
        if (w.empty()) continue;
        if (!s.empty()) s += ' ';
        s += w;
      }
      return s;
    };
    auto joined = [&] {
      std::string s;
      for (const auto& w : words) s += w;
      return s;
    };
    if (i_ >= t_.size() || special(',') || special(';')) {
      // A bare word list with no "@": a mailbox without a domain.
      if (!words.empty()) emit(opt(comment_), std::nullopt, joined(), "");
      if (special(';') && in_group_) {
        out_.push_back(Address{});
        in_group_ = false;
      }
      if (i_ < t_.size()) ++i_;
      return;
    }
    if (special(':')) {
      ++i_;
      if (!in_group_) {
        // RFC 3501 §7.4.2: group start is (NIL NIL "name" NIL).
        out_.push_back(Address{std::nullopt, std::nullopt, phrase(), std::nullopt});
        in_group_ = true;
      }
      return;
    }
    if (special('<')) {
      ++i_;
      std::optional<std::string> adl;
      if (special('@')) {
        // RFC 5322 §4.4 obs-route: "@a,@b:" before the addr-spec.
        std::string route;
        while (i_ < t_.size() && !special(':') && !special('>')) {
          if (t_[i_].kind != Tok::Comment) route += t_[i_].text;
          ++i_;
        }
        if (special(':')) {
          ++i_;
          adl = opt(route);
        } else {
          // "<@host>": no route after all, but an addr-spec without its local part.
          std::string host = route.substr(1);
          if (special('>')) ++i_;
          collect_until(",;");
          std::string name = phrase();
          if (name.empty()) name = comment_;
          emit(opt(name), std::nullopt, "", std::move(host));
          return;
        }
      }
      std::string local = collect_until("@>,;<");
      std::string host;
      if (special('@')) {
        ++i_;
        host = collect_until(">,;<");
      }
      if (special('>')) ++i_;
      std::string trailing_comment = comment_;
      collect_until(",;");  // Junk after '>' up to the next address.
      std::string name = phrase();
      if (name.empty()) name = trailing_comment.empty() ? comment_ : trailing_comment;
      if (local.empty() && host.empty() && name.empty()) return;  // "<>"
      emit(opt(name), std::move(adl), std::move(local), std::move(host));
      return;
    }
    if (special('@')) {
      ++i_;
      std::string local = joined();
      std::string host = collect_until(",;<");
      emit(opt(comment_), std::nullopt, std::move(local), std::move(host));
      return;
    }
    ++i_;  // Unreachable in practice; guarantees progress.
  }

  std::vector<Token> t_;
  std::size_t i_ = 0;
  bool in_group_ = false;
  std::string comment_;
  std::vector<Address> out_;
};

}  // namespace

std::vector<Address> parse_address_list(std::string_view value) {
  return AddressParser(tokenize(value)).run();
}

}  // namespace satchel::message::detail
