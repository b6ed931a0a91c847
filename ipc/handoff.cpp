#include "ipc/handoff.h"

#include "ipc/wire.h"

namespace satchel::ipc {

namespace {

bool valid_kind(std::uint8_t v) {
  return v >= static_cast<std::uint8_t>(ControlKind::Handoff) &&
         v <= static_cast<std::uint8_t>(ControlKind::Retire);
}

void put_string(Writer& w, std::string_view s) {
  SATCHEL_ASSERT(s.size() <= kMaxControlString);
  w.bytes(s);
}

void put_port(Writer& w, int port) {
  SATCHEL_ASSERT(port >= 0 && port <= 65535);
  w.u32(static_cast<std::uint32_t>(port));
}

void get_port(Reader& r, int& port) {
  std::uint32_t v = 0;
  if (r.u32(v) && v > 65535) r.fail("port out of range");
  port = static_cast<int>(v);
}

void get_uint(Reader& r, unsigned& out) {
  std::uint32_t v = 0;
  r.u32(v);
  out = v;
}

}  // namespace

bool fits(const ControlMessage& m) {
  if (m.kind != ControlKind::Handoff) return true;
  const HandoffMessage& h = m.handoff;
  auto port_ok = [](int p) { return p >= 0 && p <= 65535; };
  for (const std::string* s : {&h.conn.remote_ip, &h.conn.local_ip, &h.conn.listener_name,
                               &h.login.user, &h.login.mech, &h.login.imap_tag, &h.login.ticket})
    if (s->size() > kMaxControlString) return false;
  return port_ok(h.conn.remote_port) && port_ok(h.conn.local_port) &&
         h.pending_input.size() <= kMaxPendingInput;
}

std::string encode(const ControlMessage& m) {
  Writer w;
  w.u8(kControlProtocolVersion);
  w.u8(static_cast<std::uint8_t>(m.kind));
  if (m.kind != ControlKind::Handoff) return w.take();

  const HandoffMessage& h = m.handoff;
  w.boolean(h.pop3);
  put_string(w, h.conn.remote_ip);
  put_port(w, h.conn.remote_port);
  put_string(w, h.conn.local_ip);
  put_port(w, h.conn.local_port);
  w.boolean(h.conn.tls_active);
  w.boolean(h.conn.starttls_offered);
  w.boolean(h.conn.plaintext_auth_allowed);
  put_string(w, h.conn.listener_name);
  put_string(w, h.login.user);
  put_string(w, h.login.mech);
  put_string(w, h.login.imap_tag);
  put_string(w, h.login.ticket);
  w.u32(h.login.uid);
  w.u32(h.login.gid);
  SATCHEL_ASSERT(h.pending_input.size() <= kMaxPendingInput);
  w.bytes(h.pending_input);
  return w.take();
}

Result<ControlMessage> decode_control(std::string_view bytes) {
  Reader r(bytes);
  ControlMessage m;
  std::uint8_t version = 0, kind = 0;
  if (r.u8(version) && version != kControlProtocolVersion) r.fail("unsupported version");
  if (r.u8(kind) && !valid_kind(kind)) r.fail("unknown kind");
  if (r.ok()) {
    m.kind = static_cast<ControlKind>(kind);
    if (m.kind == ControlKind::Handoff) {
      HandoffMessage& h = m.handoff;
      r.boolean(h.pop3);
      r.bytes(h.conn.remote_ip, kMaxControlString);
      get_port(r, h.conn.remote_port);
      r.bytes(h.conn.local_ip, kMaxControlString);
      get_port(r, h.conn.local_port);
      r.boolean(h.conn.tls_active);
      r.boolean(h.conn.starttls_offered);
      r.boolean(h.conn.plaintext_auth_allowed);
      r.bytes(h.conn.listener_name, kMaxControlString);
      r.bytes(h.login.user, kMaxControlString);
      r.bytes(h.login.mech, kMaxControlString);
      r.bytes(h.login.imap_tag, kMaxControlString);
      r.bytes(h.login.ticket, kMaxControlString);
      get_uint(r, h.login.uid);
      get_uint(r, h.login.gid);
      r.bytes(h.pending_input, kMaxPendingInput);
    }
  }
  if (Status s = r.end("control message"); !s) return s.error();
  return m;
}

}  // namespace satchel::ipc
