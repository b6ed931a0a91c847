#!/usr/bin/python3
"""Full TLS handshakes per second that one satcheld worker sustains (issue 4), next to
`openssl s_time` against the same port and against `openssl s_server` with the same
certificate (the ceiling: OpenSSL's own server doing nothing but handshakes).

Starts a private satcheld with workers = 1 through the end-to-end harness
(tests/e2e/satchel_harness.py), then:
  1. N client processes loop for --seconds: connect, full handshake (no session resumption),
     read the IMAP greeting, close;
  2. `openssl s_time -connect 127.0.0.1:IMAPS -new -time S` (one client, sequential);
  3. `openssl s_time` against `openssl s_server` serving the same certificate and key.
Alongside wall-clock rates it reads the CPU time the server process used (/proc), so that the
"per CPU-second" column says what one worker would sustain with a whole core, even on a small
machine where the clients compete with the server for the CPUs.

See bench/README.md. Not part of ctest.
"""

import argparse
import multiprocessing
import os
import re
import socket
import ssl
import subprocess
import sys
import time

import bench_support

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
CLK_TCK = os.sysconf("SC_CLK_TCK")


def parse_args():
    default_build = os.path.join(SOURCE, "build", "release")
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=os.environ.get("SATCHEL_BUILD", default_build),
                   help="a Release build directory (default: %(default)s)")
    p.add_argument("--clients", type=int, default=4, help="concurrent client processes")
    p.add_argument("--seconds", type=float, default=10, help="duration of each run")
    p.add_argument("--tls", choices=("1.2", "1.3"), default="1.3", help="protocol version")
    p.add_argument("--skip-ceiling", action="store_true", help="do not run openssl s_server")
    return p.parse_args()


# --- process CPU time ---------------------------------------------------------------------
def cpu_seconds(pid):
    """utime + stime of a process, in seconds (None when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


# --- the Python clients ---------------------------------------------------------------------
def client_context(version):
    # No verification (like s_time): the clients should spend as little CPU as possible.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    v = ssl.TLSVersion.TLSv1_3 if version == "1.3" else ssl.TLSVersion.TLSv1_2
    ctx.minimum_version = ctx.maximum_version = v
    # A new context per process and no `session=` argument: every handshake is a full one.
    ctx.options |= ssl.OP_NO_TICKET
    return ctx


def client_loop(port, version, deadline, expect):
    ctx = client_context(version)
    done = errors = 0
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                    data = b""
                    while b"\r\n" not in data:
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    if data.startswith(expect):
                        done += 1
                    else:
                        errors += 1
        except OSError:
            errors += 1
    return done, errors


def run_clients(port, clients, seconds, version, pid, expect=b"* OK"):
    with multiprocessing.Pool(clients) as pool:
        # Every process waits for the same start time, so the clock starts with all of them.
        start_at = time.time() + 1.0
        deadline = start_at + seconds
        pending = pool.starmap_async(_delayed_loop,
                                     [(port, version, start_at, deadline, expect)] * clients)
        time.sleep(max(0.0, start_at - time.time()))
        cpu0 = cpu_seconds(pid)
        results = pending.get(seconds + 60)
        elapsed = max(time.time(), deadline) - start_at
        cpu1 = cpu_seconds(pid)
    done = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    cpu = (cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else None
    return done, errors, elapsed, cpu


def _delayed_loop(port, version, start_at, deadline, expect):
    time.sleep(max(0.0, start_at - time.time()))
    return client_loop(port, version, deadline, expect)


# --- openssl s_time -------------------------------------------------------------------------
def s_time(port, seconds, version, pid):
    flag = "-tls1_3" if version == "1.3" else "-tls1_2"
    cpu0 = cpu_seconds(pid)
    t0 = time.time()
    out = subprocess.run(["openssl", "s_time", "-connect", f"127.0.0.1:{port}", "-new",
                          "-time", str(int(seconds)), flag], capture_output=True, text=True,
                         timeout=seconds + 60)
    elapsed = time.time() - t0
    cpu1 = cpu_seconds(pid)
    text = out.stdout + out.stderr
    # "N connections in T real seconds, ...": T is whole seconds, so the rate uses our own
    # clock around the run (slightly longer: it includes starting s_time).
    m = re.search(r"(\d+) connections in (\d+) real seconds", text)
    if not m:
        raise RuntimeError("cannot read s_time's output:\n" + text)
    done = int(m.group(1))
    cpu = (cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else None
    return done, elapsed, cpu


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def s_server_ceiling(cert, key, seconds, version):
    port = free_port()
    flag = "-tls1_3" if version == "1.3" else "-tls1_2"
    server = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert",
                               cert, "-key", key, "-quiet", "-naccept", "1000000", flag,
                               "-no_ticket"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        return s_time(port, seconds, version, server.pid)
    finally:
        server.terminate()
        server.wait(10)


# --- report ---------------------------------------------------------------------------------
def row(target, client, done, seconds, cpu):
    rate = done / seconds if seconds else 0.0
    per_cpu = done / cpu if cpu else None
    return [target, client, str(done), f"{seconds:.1f}", f"{rate:.0f}",
            f"{cpu:.2f}" if cpu is not None else "-",
            f"{per_cpu:.0f}" if per_cpu is not None else "-"], rate, per_cpu


def print_table(rows):
    head = ["server", "client", "handshakes", "wall s", "per s", "server CPU s",
            "per server CPU s"]
    widths = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
    for r in [head] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))


def main():
    args = parse_args()
    h = bench_support.load_harness(args.build)
    cache = bench_support.build_type(args.build)
    print(f"satcheld: {os.environ['SATCHELD']} ({cache or 'build type unknown'})")
    print(f"openssl: {subprocess.run(['openssl', 'version'], capture_output=True, text=True).stdout.strip()}")
    print(f"cpus: {os.cpu_count()}  clients: {args.clients}  seconds: {args.seconds}  "
          f"TLS {args.tls}, full handshakes (no resumption)\n")

    srv = h.Instance(users=("bench",), workers=1)
    rows = []
    try:
        master = srv.proc.pid
        workers = children(master)
        if len(workers) != 1:
            raise RuntimeError(f"expected one worker, found {workers}")
        worker = workers[0]
        port = srv.ports["imaps"]
        cert = srv.path("tls", "server.pem")
        key = srv.path("tls", "server.key")

        done, errors, elapsed, cpu = run_clients(port, args.clients, args.seconds, args.tls,
                                                 worker)
        r, py_rate, py_cpu = row("satcheld (1 worker)", f"python x{args.clients}", done,
                                 elapsed, cpu)
        rows.append(r)
        if errors:
            print(f"warning: {errors} client connections failed")

        done, real, cpu = s_time(port, args.seconds, args.tls, worker)
        r, st_rate, st_cpu = row("satcheld (1 worker)", "openssl s_time", done, real, cpu)
        rows.append(r)

        # The ceiling, with the same certificate and key (satcheld idles meanwhile).
        ceil_rate = ceil_cpu = None
        if not args.skip_ceiling:
            done, real, cpu = s_server_ceiling(cert, key, args.seconds, args.tls)
            r, ceil_rate, ceil_cpu = row("openssl s_server", "openssl s_time", done, real, cpu)
            rows.append(r)
    finally:
        srv.close()

    print_table(rows)
    print()
    if ceil_rate:
        ratio = f"satcheld / s_server, both driven by s_time: {st_rate / ceil_rate:.2f} (wall)"
        if st_cpu and ceil_cpu:
            ratio += f", {st_cpu / ceil_cpu:.2f} (per server CPU second)"
        print(ratio)
    if st_rate:
        print(f"python x{args.clients} / s_time against satcheld: {py_rate / st_rate:.2f} (wall)")


if __name__ == "__main__":
    main()
