#!/usr/bin/python3
"""Memory per idle IMAPS session (DESIGN.md, memory per session): N clients log in over
implicit TLS, SELECT INBOX and enter IDLE; the proportional set size (PSS, /proc/PID/
smaps_rollup) of satcheld and all its children is read before and after, in the split and the
single process model.

Starts private satcheld instances through the end-to-end harness (tests/e2e/satchel_harness.py)
with one login worker and one mail worker (split) or one worker (single). See bench/README.md.
Not part of ctest.
"""

import argparse
import os
import socket
import ssl
import sys
import time

import bench_support

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)


def parse_args():
    default_build = os.path.join(SOURCE, "build", "release")
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=os.environ.get("SATCHEL_BUILD", default_build),
                   help="a Release build directory (default: %(default)s)")
    p.add_argument("--sessions", type=int, default=500, help="idle sessions to open")
    p.add_argument("--messages", type=int, default=200, help="messages in the INBOX")
    return p.parse_args()


def descendants(pid):
    out = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            for child in f.read().split():
                out += descendants(int(child))
    except OSError:
        pass
    return out


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def total_pss(master):
    return sum(pss_kib(p) for p in descendants(master))


def pss_by_role(master):
    """PSS per process name (/proc/PID/comm): where the memory is."""
    out = {}
    for p in descendants(master):
        try:
            with open(f"/proc/{p}/comm") as f:
                name = f.read().strip()
        except OSError:
            continue
        out[name] = out.get(name, 0) + pss_kib(p)
    return out


def open_session(port, ctx, user, password):
    raw = socket.create_connection(("127.0.0.1", port), 30)
    s = ctx.wrap_socket(raw, server_hostname="localhost")
    f = s.makefile("rb")

    def until(prefix):
        while True:
            line = f.readline()
            if not line:
                raise RuntimeError("connection closed")
            if line.startswith(prefix):
                return line

    until(b"* OK")
    s.sendall(b"a LOGIN %s %s\r\n" % (user.encode(), password.encode()))
    until(b"a ")
    s.sendall(b"b SELECT INBOX\r\n")
    until(b"b ")
    s.sendall(b"c IDLE\r\n")
    until(b"+ ")
    return s, f


def measure(h, model, args):
    srv = h.Instance(users=("alice",), workers=1,
                     extra_server=f"process_model = {model}\nmail_workers = 1\n",
                     extra_limits="max_connections_per_user_ip = 0\n")
    try:
        for i in range(args.messages):
            srv.deliver("alice", b"From: a@example.com\r\nSubject: message %d\r\n\r\n%s\r\n"
                        % (i, b"x" * 2000))
        ctx = ssl.create_default_context(cafile=srv.ca)
        port = srv.ports["imaps"]
        # Warm-up: one session in and out, so the index exists and the code is paged in.
        s, f = open_session(port, ctx, "alice", h.PASSWORD)
        s.close()
        time.sleep(1)
        before = total_pss(srv.proc.pid)
        roles_before = pss_by_role(srv.proc.pid)
        sessions = [open_session(port, ctx, "alice", h.PASSWORD) for _ in range(args.sessions)]
        time.sleep(2)
        after = total_pss(srv.proc.pid)
        roles_after = pss_by_role(srv.proc.pid)
        processes = len(descendants(srv.proc.pid))
        for name in sorted(roles_after):
            grew = (roles_after[name] - roles_before.get(name, 0)) / args.sessions
            print(f"  {model}: {name:<15} {roles_after[name]:>8} KiB, {grew:6.1f} KiB per session")
        for s, f in sessions:
            s.close()
        return before, after, processes
    finally:
        srv.close()


def main():
    args = parse_args()
    h = bench_support.load_harness(args.build)
    print(f"satcheld: {os.environ['SATCHELD']} ({bench_support.build_type(args.build)})  sessions: {args.sessions}  messages: {args.messages}")
    print("model   processes  PSS before (KiB)  PSS after (KiB)  per session (KiB)")
    for model in ("single", "split"):
        before, after, processes = measure(h, model, args)
        per = (after - before) / args.sessions
        print(f"{model:<7} {processes:>9}  {before:>16}  {after:>15}  {per:>17.1f}")


if __name__ == "__main__":
    main()
