// Turning OpenSSL's per-thread error queue into a short reason for a log line.
#pragma once

#include <string>
#include <string_view>

namespace satchel::tls {

// Returns the reasons queued in this thread's OpenSSL error queue, oldest first, joined by
// "; " without repeats (for example "wrong version number" or "no shared cipher"), and empties
// the queue. Returns `fallback` when the queue is empty. Every tls/ function that calls into
// OpenSSL leaves the queue empty, so that a later caller never reads a stale reason.
std::string last_error_string(std::string_view fallback = "unknown TLS error");

// Empties this thread's OpenSSL error queue.
void clear_errors();

}  // namespace satchel::tls
