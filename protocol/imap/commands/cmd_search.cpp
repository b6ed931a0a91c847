// SEARCH and UID SEARCH (RFC 3501 §6.4.4).
#include "protocol/imap/commands/common.h"

namespace satchel::imap {

void cmd_search(Ctx& ctx) {
  ctx.no("CANNOT", "SEARCH is not available yet");
}

}  // namespace satchel::imap
