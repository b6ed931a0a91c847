#include "protocol/pop3/capabilities.h"

namespace satchel::pop3 {

std::string capability_response(const CapabilityContext& context) {
  std::string out = "+OK Capability list follows\r\n";
  out += "TOP\r\n";
  if (context.authorization && context.plaintext_allowed) out += "USER\r\n";
  out += "UIDL\r\n";
  out += "RESP-CODES\r\n";
  out += "AUTH-RESP-CODE\r\n";
  out += "PIPELINING\r\n";
  // RFC 5034 §6: the SASL capability lists the mechanisms; with none usable it is left out.
  if (context.authorization && !context.sasl_mechanisms.empty()) {
    out += "SASL";
    for (const std::string& mech : context.sasl_mechanisms) out += " " + mech;
    out += "\r\n";
  }
  if (context.authorization && context.stls_available) out += "STLS\r\n";
  out += "IMPLEMENTATION " + context.implementation + "\r\n";
  out += ".\r\n";
  return out;
}

}  // namespace satchel::pop3
