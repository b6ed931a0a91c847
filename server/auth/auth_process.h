// The auth process (DESIGN.md, process model): the only process of the split model that checks
// passwords. It never touches the network; workers reach it over SOCK_SEQPACKET channels the
// master creates, one end per channel sent to it on its control socket.
#pragma once

#include "config/settings.h"

namespace satchel::server {

class AuthService;

// Serves one worker channel (a blocking SOCK_SEQPACKET socket): receive a request, answer it,
// until the peer closes the channel, sends something that is not a valid request (logged as a
// bug of the peer), or a send fails. Does not close `fd`. Blocks; run_auth_process gives each
// channel a thread of its own (tests serve a socketpair with it).
void serve_auth_channel(AuthService& service, int fd);

// Runs the auth process in a child the master forked (as root, or as whoever started satcheld);
// returns the exit status. In order: names itself "satchel-auth" and the log role "auth";
// unblocks the signals the master blocked (SIGTERM/SIGINT end it, SIGHUP is ignored: [auth]
// changes need a restart) and ignores SIGPIPE; drops to [server] user/group when root unless a
// backend needs root (PAM: auth_needs_root); builds the backends (after the drop, so files are
// opened as the user that will read them). Then every datagram on `control_fd` must carry
// exactly one descriptor: a channel to serve, each on its own thread, request by request, until
// the worker closes it. A malformed request closes that channel (a broken peer) and is logged.
//
// Returns 0 when `control_fd` reaches end of file (the master is gone) or on SIGTERM/SIGINT;
// 1 when privileges cannot be dropped or the backends cannot be built (the master restarts it).
// Owns `control_fd`.
int run_auth_process(const config::Settings& s, int control_fd);

}  // namespace satchel::server
