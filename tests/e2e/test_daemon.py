"""The daemon as an administrator sees it: configuration checks, limits, supervision, reload,
privileges and log lines."""

import os
import re
import signal
import subprocess
import time
import unittest

import satchel_harness as h


def worker_pids(master_pid, count=1):
    return h.accepting_workers(master_pid, count)


class CheckConfig(unittest.TestCase):
    def run_check(self, text):
        path = os.path.join(self.dir, "bad.conf")
        with open(path, "w") as f:
            f.write(text)
        return subprocess.run([h.SATCHELD, "--check-config", "-c", path], capture_output=True,
                              text=True)

    def setUp(self):
        import tempfile
        self.dir = tempfile.mkdtemp(prefix="satchel-conf-")

    def test_unknown_key_names_file_and_line(self):
        r = self.run_check("[limits]\nmax_conections = 5\n")
        self.assertEqual(r.returncode, 2)
        self.assertRegex(r.stderr, r"bad\.conf:2: .*max_conections")

    def test_bad_value_names_file_and_line(self):
        r = self.run_check("[server]\nworkers = 2\n[limits]\nidle_timeout = abc\n")
        self.assertEqual(r.returncode, 2)
        self.assertIn("bad.conf:4:", r.stderr)

    def test_valid_file_passes(self):
        r = self.run_check("[server]\nworkers = 1\n[listener imap]\nprotocol = imap\n"
                           "address = 127.0.0.1:0\n")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_shipped_default_config_parses_and_names_its_missing_certificate(self):
        r = subprocess.run([h.SATCHELD, "--check-config", "-c",
                            os.path.join(h.SOURCE, "etc", "satchel.conf")], capture_output=True,
                           text=True)
        # The shipped file points at /etc/satchel/tls/..., absent on a test machine: the check
        # loads certificates as a start would, and names the file.
        if os.path.exists("/etc/satchel/tls"):
            self.skipTest("this machine has /etc/satchel/tls")
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertIn("/etc/satchel/tls/", r.stderr)
        self.assertNotIn(":1:", r.stderr)  # Not a syntax error.

    @unittest.skipUnless(os.geteuid() == 0, "accounts are used (and checked) only as root")
    def test_missing_login_user_is_named_with_a_hint(self):
        r = self.run_check("[server]\nlogin_user = satchel-no-such-user\n[listener imap]\n"
                           "protocol = imap\naddress = 127.0.0.1:0\n")
        self.assertEqual(r.returncode, 2)
        self.assertIn("bad.conf: login_user: unknown user 'satchel-no-such-user'", r.stderr)
        self.assertIn("adduser --system", r.stderr)

    def test_check_config_loads_certificates(self):
        with open(os.path.join(self.dir, "server.pem"), "w") as f:
            f.write("not a certificate\n")
        r = self.run_check("[tls]\ncert = %s/server.pem\nkey = %s/server.pem\n"
                           "[listener imaps]\nprotocol = imap\naddress = 127.0.0.1:0\n"
                           "tls = implicit\n" % (self.dir, self.dir))
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertIn("server.pem", r.stderr)


class Daemon(unittest.TestCase):
    def test_connection_limit_answers_bye(self):
        with h.Instance(users=("alice",), workers=1, tls=False,
                        extra_limits="max_connections = 2\n") as srv:
            a = h.RawClient(srv.ports["imap"])
            b = h.RawClient(srv.ports["imap"])
            self.assertTrue(a.readline().startswith("* OK"))
            self.assertTrue(b.readline().startswith("* OK"))
            c = h.RawClient(srv.ports["imap"])
            self.assertRegex(c.readline(), r"^\* BYE \[UNAVAILABLE\]")
            a.close()
            time.sleep(0.3)
            d = h.RawClient(srv.ports["imap"])
            self.assertTrue(d.readline().startswith("* OK"))

    def test_user_ip_limit_across_workers(self):
        with h.Instance(users=("alice", "bob"), workers=2, tls=False,
                        extra_limits="max_connections_per_user_ip = 3\n") as srv:
            clients = [srv.imap("alice") for _ in range(3)]
            extra = h.RawClient(srv.ports["imap"])
            extra.readline()
            extra.send("a LOGIN alice %s\r\n" % h.PASSWORD)
            self.assertRegex(extra.readline(), r"^\* BYE .*user\+IP")
            # Other users are not affected, and the count drops when a client leaves.
            srv.imap("bob").logout()
            clients.pop().logout()
            time.sleep(0.3)
            srv.imap("alice").logout()

    def test_client_leaving_during_login_does_not_keep_a_count(self):
        with h.Instance(users=("alice",), workers=1, tls=False,
                        extra_limits="max_connections_per_user_ip = 1\n") as srv:
            for _ in range(5):
                c = h.RawClient(srv.ports["imap"])
                c.readline()
                c.send("a LOGIN alice %s\r\n" % h.PASSWORD)  # Gone before the answer.
                c.close()
            time.sleep(1)
            m = srv.imap("alice")  # Would get BYE if a count had leaked.
            self.assertEqual(m.noop()[0], "OK")
            m.logout()

    def test_dead_worker_is_restarted(self):
        with h.Instance(users=("alice",), workers=2, tls=False) as srv:
            pids = worker_pids(srv.proc.pid, 2)
            self.assertEqual(len(pids), 2)
            os.kill(pids[0], signal.SIGKILL)
            self.assertTrue(srv.log_contains(r"killed by signal 9; restarting it"))
            deadline = time.time() + 10
            while time.time() < deadline and len(worker_pids(srv.proc.pid)) < 2:
                time.sleep(0.1)
            self.assertEqual(len(worker_pids(srv.proc.pid)), 2)
            for _ in range(4):
                srv.imap("alice").logout()

    def test_sighup_reload_keeps_existing_sessions(self):
        with h.Instance(users=("alice",), workers=1, tls=False) as srv:
            m = srv.imap("alice")
            m.select("INBOX")
            old = worker_pids(srv.proc.pid)
            srv.proc.send_signal(signal.SIGHUP)
            self.assertTrue(srv.log_contains(r"reloaded: generation 1"))
            self.assertEqual(m.noop()[0], "OK")  # The old worker still serves it.
            n = srv.imap("alice")
            n.logout()
            m.logout()
            deadline = time.time() + 10
            while time.time() < deadline and any(p in worker_pids(srv.proc.pid) for p in old):
                time.sleep(0.1)
            self.assertFalse(any(p in worker_pids(srv.proc.pid) for p in old),
                             "the old worker should exit once its last client left")

    def test_reload_with_a_broken_config_keeps_running(self):
        with h.Instance(users=("alice",), workers=1, tls=False) as srv:
            with open(srv.config, "a") as f:
                f.write("\n[limits]\nnot_a_key = 1\n")
            srv.proc.send_signal(signal.SIGHUP)
            self.assertTrue(srv.log_contains(r"reload failed, keeping the running configuration"))
            srv.imap("alice").logout()

    def test_ipv6_listener(self):
        import socket
        try:
            probe = socket.socket(socket.AF_INET6)
            probe.bind(("::1", 0))
            probe.close()
        except OSError:
            self.skipTest("no IPv6 loopback here")
        extra = "[listener imap6]\nprotocol = imap\naddress = [::1]:0\ntls = none\n"
        with h.Instance(users=("alice",), workers=1, tls=False, extra_config=extra) as srv:
            import imaplib
            m = imaplib.IMAP4("::1", srv.ports["imap6"], timeout=30)
            m.login("alice", h.PASSWORD)
            self.assertEqual(m.select("INBOX")[0], "OK")
            m.logout()
            self.assertTrue(srv.log_contains(r"rip=::1 "))

    def test_silent_tls_client_is_dropped_after_the_handshake_timeout(self):
        with h.Instance(users=("alice",), workers=1, tls=True) as srv:
            with open(srv.config) as f:
                text = f.read()
            text = text.replace("[tls]\n", "[tls]\nhandshake_timeout = 1s\n", 1)
            with open(srv.config, "w") as f:
                f.write(text)
            srv.restart()
            c = h.RawClient(srv.ports["imaps"])
            c.sock.settimeout(10)
            self.assertEqual(c.sock.recv(100), b"")  # Closed by the server, nothing sent.
            self.assertTrue(srv.log_contains(r"tls handshake timeout: rip=127\.0\.0\.1"))

    @unittest.skipUnless(os.geteuid() == 0, "privilege drop needs root")
    def test_workers_run_unprivileged(self):
        with h.Instance(users=("alice",), workers=1, tls=False) as srv:
            # Every child: auth process, login and mail workers (once each has named itself,
            # which it does after dropping privileges).
            deadline = time.time() + 10
            while time.time() < deadline and any(
                    not h.process_name(p).startswith("satchel-")
                    for p in h.child_pids(srv.proc.pid)):
                time.sleep(0.05)
            self.assertEqual(len(h.child_pids(srv.proc.pid)), 3)
            for pid in h.child_pids(srv.proc.pid):
                with open("/proc/%d/status" % pid) as f:
                    status = f.read()
                uids = re.search(r"^Uid:\s+(\d+)\s+(\d+)\s+(\d+)", status, re.M).groups()
                self.assertNotIn("0", uids, status)

    def test_log_lines_for_connect_login_and_logout(self):
        with h.Instance(users=("alice",), workers=1, tls=False) as srv:
            srv.imap("alice").logout()
            self.assertTrue(srv.log_contains(r"connect: proto=imap listener=imap rip=127\.0\.0\.1"))
            self.assertTrue(srv.log_contains(r"login: user=alice rip=127\.0\.0\.1 mech=LOGIN"))
            self.assertTrue(srv.log_contains(
                r"disconnect: user=alice rip=127\.0\.0\.1 in=\d+ out=\d+ duration=\d+s"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
