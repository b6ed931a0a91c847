// ENVELOPE (RFC 3501 §7.4.2, §9 "envelope").
#include "message/detail/envelope.h"
#include "message/detail/address.h"
#include "message/detail/header.h"
#include "message/detail/imap_string.h"
#include "message/message.h"

namespace satchel::message {

namespace detail {

namespace {

void append_addresses(std::string& out, const std::vector<Address>& list) {
  if (list.empty()) {
    out += "NIL";
    return;
  }
  out += '(';
  for (const auto& a : list) {
    out += '(';
    append_nstring(out, a.name);
    out += ' ';
    append_nstring(out, a.adl);
    out += ' ';
    append_nstring(out, a.mailbox);
    out += ' ';
    append_nstring(out, a.host);
    out += ')';
  }
  out += ')';
}

}  // namespace

std::string envelope_of(std::string_view header) {
  // The first occurrence of each field counts.
  enum { kDate, kSubject, kFrom, kSender, kReplyTo, kTo, kCc, kBcc, kInReplyTo, kMessageId, kN };
  static constexpr const char* kNames[kN] = {"Date",        "Subject",   "From", "Sender",
                                             "Reply-To",    "To",        "Cc",   "Bcc",
                                             "In-Reply-To", "Message-ID"};
  std::optional<std::string> values[kN];
  HeaderReader reader(header);
  HeaderField f;
  while (reader.next(f)) {
    for (int i = 0; i < kN; ++i) {
      if (!values[i] && ascii::iequals(f.name, kNames[i])) values[i] = unfold(f.value);
    }
  }
  std::vector<Address> lists[kN];
  for (int i = kFrom; i <= kBcc; ++i)
    if (values[i]) lists[i] = parse_address_list(*values[i]);
  // RFC 3501 §7.4.2: absent or empty Sender and Reply-To take the value of From.
  if (lists[kSender].empty()) lists[kSender] = lists[kFrom];
  if (lists[kReplyTo].empty()) lists[kReplyTo] = lists[kFrom];

  std::string out = "(";
  append_nstring(out, values[kDate]);
  out += ' ';
  append_nstring(out, values[kSubject]);
  for (int i = kFrom; i <= kBcc; ++i) {
    out += ' ';
    append_addresses(out, lists[i]);
  }
  out += ' ';
  append_nstring(out, values[kInReplyTo]);
  out += ' ';
  append_nstring(out, values[kMessageId]);
  out += ')';
  return out;
}

}  // namespace detail

std::string envelope(const ParsedMessage& msg) {
  const Part& root = msg.root();
  return detail::envelope_of(
      msg.text().substr(root.header_begin, root.body_begin - root.header_begin));
}

}  // namespace satchel::message
