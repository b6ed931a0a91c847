"""IMAP over TLS end to end (issue 4): implicit TLS and STARTTLS with Python's ssl/imaplib and
openssl s_client, verified against the instance's CA; CAPABILITY before and after TLS; the
plaintext-password policy; the STARTTLS command-injection case; protocol versions; ALPN;
failed-handshake log lines and the handshake timeout."""

import imaplib
import os
import pwd
import re
import socket
import ssl
import subprocess
import time
import unittest
import warnings

import satchel_harness as h
import tls_support as t

EXT_ADDR = t.non_loopback_ipv4()
HANDSHAKE_TIMEOUT_S = 1


def extra_config():
    conf = f"[tls]\nhandshake_timeout = {HANDSHAKE_TIMEOUT_S}s\n"
    if EXT_ADDR:
        # A STARTTLS listener on a non-loopback address: a client connecting to it from this
        # host comes from that address too, so the server applies the plaintext policy.
        conf += f"""
[listener imap-ext]
protocol = imap
address = {EXT_ADDR}:0
tls = starttls
"""
    return conf


def uids_of(pid):
    """Real, effective, saved and filesystem uid of a process."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Uid:"):
                return [int(x) for x in line.split()[1:]]
    return []


def caps_of(lines):
    for line in lines:
        m = re.match(r"\* CAPABILITY (.*)$", line, re.I)
        if m:
            return m.group(1).split()
        m = re.search(r"\[CAPABILITY ([^\]]*)\]", line, re.I)
        if m:
            return m.group(1).split()
    return []


class TlsImap(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = h.Instance(users=("alice",), workers=1, extra_config=extra_config())
        cls.srv.deliver("alice", "From: a@example.com\r\nSubject: hello\r\n\r\nbody\r\n")
        cls.ctx = t.client_context(cls.srv.ca)

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    # --- clients that verify the certificate ------------------------------------------------
    def test_imaplib_implicit_tls_verifies_certificate(self):
        m = imaplib.IMAP4_SSL("localhost", self.srv.ports["imaps"], ssl_context=self.ctx,
                              timeout=30)
        self.assertIn(m.sock.version(), ("TLSv1.2", "TLSv1.3"))
        self.assertEqual(t.peer_names(m.sock), ["localhost"])
        m.login("alice", h.PASSWORD)
        typ, data = m.select("INBOX")
        self.assertEqual((typ, data), ("OK", [b"1"]))
        typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertEqual(typ, "OK")
        self.assertIn(b"Subject: hello", data[0][1])
        m.logout()

    def test_imaplib_starttls_verifies_certificate(self):
        m = imaplib.IMAP4("localhost", self.srv.ports["imap"], timeout=30)
        self.assertIn("STARTTLS", m.capabilities)
        typ, _ = m.starttls(ssl_context=self.ctx)
        self.assertEqual(typ, "OK")
        self.assertIn(m.sock.version(), ("TLSv1.2", "TLSv1.3"))
        # imaplib asks for CAPABILITY again after the handshake (RFC 3501 §6.2.1).
        self.assertNotIn("STARTTLS", m.capabilities)
        self.assertNotIn("LOGINDISABLED", m.capabilities)
        self.assertIn("AUTH=PLAIN", m.capabilities)
        m.login("alice", h.PASSWORD)
        self.assertEqual(m.select("INBOX")[0], "OK")
        m.logout()

    def test_imaplib_refuses_server_with_unknown_ca(self):
        # The other side of verification: a client trusting only a different CA fails.
        other = ssl.create_default_context()  # System CAs: ours is not among them.
        with self.assertRaises(ssl.SSLCertVerificationError):
            imaplib.IMAP4_SSL("localhost", self.srv.ports["imaps"], ssl_context=other,
                              timeout=30)
        self.assertTrue(self.srv.log_contains(r"tls failed: rip=127\.0\.0\.1 reason=.*unknown ca"),
                        "no log line for the client's unknown-CA alert")

    def test_openssl_s_client_implicit(self):
        rc, out = t.s_client(["-connect", f"127.0.0.1:{self.srv.ports['imaps']}",
                              "-servername", "localhost", "-CAfile", self.srv.ca,
                              "-verify_hostname", "localhost", "-verify_return_error",
                              "-crlf", "-ign_eof"],
                             stdin="a CAPABILITY\nb LOGIN alice " + h.PASSWORD + "\nz LOGOUT\n")
        self.assertEqual(rc, 0, out)
        self.assertEqual(t.verify_code(out), 0, out)
        self.assertRegex(out, r"\* OK \[CAPABILITY IMAP4rev1")
        self.assertRegex(out, r"(?m)^a OK")
        self.assertRegex(out, r"(?m)^b OK")
        self.assertRegex(out, r"(?m)^z OK")

    def test_openssl_s_client_starttls(self):
        rc, out = t.s_client(["-starttls", "imap", "-connect",
                              f"127.0.0.1:{self.srv.ports['imap']}", "-servername", "localhost",
                              "-CAfile", self.srv.ca, "-verify_hostname", "localhost",
                              "-verify_return_error", "-crlf", "-ign_eof"],
                             stdin="a CAPABILITY\nb LOGIN alice " + h.PASSWORD + "\nz LOGOUT\n")
        self.assertEqual(rc, 0, out)
        self.assertEqual(t.verify_code(out), 0, out)
        caps = re.search(r"(?m)^\* CAPABILITY (.*)$", out)
        self.assertIsNotNone(caps, out)
        self.assertNotIn("STARTTLS", caps.group(1).split())
        self.assertRegex(out, r"(?m)^b OK")
        self.assertRegex(out, r"(?m)^z OK")

    # --- CAPABILITY and the plaintext policy --------------------------------------------------
    def test_capability_changes_after_starttls(self):
        c = t.LineReader(socket.create_connection(("127.0.0.1", self.srv.ports["imap"]), 10))
        greeting = c.readline()
        self.assertIn("STARTTLS", caps_of([greeting]))
        c.send("a CAPABILITY\r\n")
        before = caps_of(c.until_tagged("a"))
        self.assertIn("STARTTLS", before)
        # From loopback the policy allows plaintext passwords (issue 4), so no LOGINDISABLED.
        self.assertNotIn("LOGINDISABLED", before)
        c.send("b STARTTLS\r\n")
        self.assertTrue(c.until_tagged("b")[-1].startswith("b OK"))
        c.sock = self.ctx.wrap_socket(c.sock, server_hostname="localhost")
        c.send("c CAPABILITY\r\n")
        after = caps_of(c.until_tagged("c"))
        self.assertIn("IMAP4rev1", after)
        self.assertNotIn("STARTTLS", after)
        self.assertNotIn("LOGINDISABLED", after)
        self.assertIn("AUTH=PLAIN", after)
        c.close()

    @unittest.skipUnless(EXT_ADDR, "no non-loopback IPv4 address on this host")
    def test_logindisabled_off_loopback_until_tls(self):
        port = self.srv.ports["imap-ext"]
        c = t.LineReader(socket.create_connection((EXT_ADDR, port), 10))
        greeting_caps = caps_of([c.readline()])
        self.assertIn("LOGINDISABLED", greeting_caps)
        self.assertIn("STARTTLS", greeting_caps)
        self.assertNotIn("AUTH=PLAIN", greeting_caps)
        c.send(f"a LOGIN alice {h.PASSWORD}\r\n")
        self.assertRegex(c.until_tagged("a")[-1], r"^a NO \[PRIVACYREQUIRED\]")
        c.send("b AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldC1wdw==\r\n")
        self.assertRegex(c.until_tagged("b")[-1], r"^b NO \[PRIVACYREQUIRED\]")
        c.send("c STARTTLS\r\n")
        self.assertTrue(c.until_tagged("c")[-1].startswith("c OK"))
        c.sock = self.ctx.wrap_socket(c.sock, server_hostname="localhost")
        c.send("d CAPABILITY\r\n")
        after = caps_of(c.until_tagged("d"))
        self.assertNotIn("LOGINDISABLED", after)
        self.assertNotIn("STARTTLS", after)
        self.assertIn("AUTH=PLAIN", after)
        c.send(f"e LOGIN alice {h.PASSWORD}\r\n")
        self.assertTrue(c.until_tagged("e")[-1].startswith("e OK"))
        c.close()

    # --- STARTTLS edge cases ------------------------------------------------------------------
    def starttls_injection(self, port, host="127.0.0.1"):
        c = t.LineReader(socket.create_connection((host, port), 10))
        c.readline()
        # One write: the LOGIN rides in the same plaintext segment as STARTTLS.
        c.send(f"a STARTTLS\r\nb LOGIN alice {h.PASSWORD}\r\n")
        reply = c.until_tagged("a")
        self.assertTrue(reply[-1].startswith("a OK"), reply)
        self.assertEqual(c.buf, b"", "bytes after the STARTTLS reply, before the handshake")
        c.sock = self.ctx.wrap_socket(c.sock, server_hostname="localhost")
        c.send("c CAPABILITY\r\nd NOOP\r\ne SELECT INBOX\r\n")
        lines = c.until_tagged("c") + c.until_tagged("d") + c.until_tagged("e")
        self.assertFalse([ln for ln in lines if ln.startswith("b ")],
                         f"the injected command was executed: {lines}")
        self.assertRegex(lines[-1], r"^e (BAD|NO)", "SELECT worked: the session is logged in")
        # The session is healthy and still unauthenticated: a real LOGIN now works.
        c.send(f"f LOGIN alice {h.PASSWORD}\r\n")
        self.assertTrue(c.until_tagged("f")[-1].startswith("f OK"))
        c.close()

    def test_starttls_injection_is_discarded(self):
        self.starttls_injection(self.srv.ports["imap"])

    @unittest.skipUnless(EXT_ADDR, "no non-loopback IPv4 address on this host")
    def test_starttls_injection_is_discarded_off_loopback(self):
        self.starttls_injection(self.srv.ports["imap-ext"], EXT_ADDR)

    def test_starttls_twice_is_bad(self):
        c = t.LineReader(socket.create_connection(("127.0.0.1", self.srv.ports["imap"]), 10))
        c.readline()
        c.send("a STARTTLS\r\n")
        self.assertTrue(c.until_tagged("a")[-1].startswith("a OK"))
        c.sock = self.ctx.wrap_socket(c.sock, server_hostname="localhost")
        c.send("b STARTTLS\r\n")
        self.assertRegex(c.until_tagged("b")[-1], r"^b BAD")
        c.send("c NOOP\r\n")
        self.assertTrue(c.until_tagged("c")[-1].startswith("c OK"), "session broken after BAD")
        c.close()

    def test_starttls_after_login_is_refused(self):
        m = self.srv.imap("alice")  # Plaintext login: allowed from loopback.
        with self.assertRaises(m.error) as cm:
            m._simple_command("STARTTLS")
        self.assertRegex(str(cm.exception), r"BAD|NO")
        self.assertEqual(m.noop()[0], "OK")
        m.logout()

    def test_starttls_on_implicit_port_is_bad(self):
        s = t.tls_connect(self.srv.ports["imaps"], self.ctx)
        c = t.LineReader(s)
        c.readline()
        c.send("a STARTTLS\r\n")
        self.assertRegex(c.until_tagged("a")[-1], r"^a BAD")
        c.close()

    def test_plaintext_written_after_starttls_reply_is_never_executed(self):
        # The other timing: the injected command comes in its own write, right after STARTTLS,
        # before the client has seen the reply. Whether it lands in the same read as STARTTLS
        # (discarded) or after the switch (garbage to the TLS engine), it must not run.
        c = t.LineReader(socket.create_connection(("127.0.0.1", self.srv.ports["imap"]), 10))
        c.readline()
        c.send("a STARTTLS\r\n")
        c.send(f"b LOGIN alice {h.PASSWORD}\r\nc SELECT INBOX\r\n")
        lines = [c.readline()]
        # Any answer to b or c would follow at once; the server may also just wait for a
        # ClientHello that never comes, so do not wait for it to close.
        c.sock.settimeout(2)
        try:
            while True:
                line = c.readline()
                if line == "":
                    break
                lines.append(line)
        except OSError:
            pass
        c.close()
        self.assertTrue(lines and lines[0].startswith("a OK"), lines)
        self.assertFalse([ln for ln in lines[1:] if re.match(r"^[bc] ", ln)], lines)

    # --- protocol versions --------------------------------------------------------------------
    def assert_refused_version(self, version, flag):
        warnings.simplefilter("ignore", DeprecationWarning)  # TLSv1/TLSv1_1 on purpose.
        port = self.srv.ports["imaps"]
        # Python: a client willing to speak only this version (security level 0 so that the
        # refusal cannot come from the client's own OpenSSL policy).
        ctx = t.client_context(self.srv.ca, minimum=version, maximum=version, legacy=True)
        with self.assertRaises(ssl.SSLError) as cm:
            t.tls_connect(port, ctx)
        self.assertRegex(str(cm.exception), r"(?i)protocol.version|unsupported protocol")
        # openssl s_client: the server answers with a protocol_version alert.
        rc, out = t.s_client(["-connect", f"127.0.0.1:{port}", flag, "-cipher",
                              "DEFAULT@SECLEVEL=0", "-servername", "localhost"])
        self.assertNotEqual(rc, 0, out)
        self.assertRegex(out, r"(?i)alert protocol version")
        self.assertTrue(self.srv.log_contains(
            r"tls failed: rip=127\.0\.0\.1 reason=.*(unsupported protocol|version)"))

    def test_tls10_refused(self):
        self.assert_refused_version(ssl.TLSVersion.TLSv1, "-tls1")

    def test_tls11_refused(self):
        self.assert_refused_version(ssl.TLSVersion.TLSv1_1, "-tls1_1")

    def test_tls12_and_tls13_accepted(self):
        for version, name in ((ssl.TLSVersion.TLSv1_2, "TLSv1.2"),
                              (ssl.TLSVersion.TLSv1_3, "TLSv1.3")):
            with self.subTest(version=name):
                ctx = t.client_context(self.srv.ca, minimum=version, maximum=version)
                s = t.tls_connect(self.srv.ports["imaps"], ctx)
                self.assertEqual(s.version(), name)
                c = t.LineReader(s)
                self.assertTrue(c.readline().startswith("* OK"))
                c.close()

    def test_renegotiation_refused(self):
        # TLS 1.2 is the last version with renegotiation; s_client asks for it on "R".
        proc = subprocess.Popen(["openssl", "s_client", "-connect",
                                 f"127.0.0.1:{self.srv.ports['imaps']}", "-tls1_2", "-CAfile",
                                 self.srv.ca, "-servername", "localhost"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace")
        out = ""
        try:
            deadline = time.time() + 10
            time.sleep(1)
            proc.stdin.write("R\n")
            proc.stdin.flush()
            time.sleep(1)
            proc.stdin.write("a NOOP\r\n")
            proc.stdin.flush()
            out = proc.communicate(timeout=max(1, deadline - time.time()))[0]
        except (BrokenPipeError, subprocess.TimeoutExpired):
            proc.kill()
            out = proc.communicate()[0]
        self.assertIn("RENEGOTIATING", out)
        self.assertRegex(out, r"(?i)no renegotiation")
        self.assertNotRegex(out, r"(?m)^a OK")

    def test_session_resumption(self):
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            with self.subTest(version=version.name):
                ctx = t.client_context(self.srv.ca, minimum=version, maximum=version)
                session, reused = None, []
                for _ in range(3):
                    raw = socket.create_connection(("127.0.0.1", self.srv.ports["imaps"]), 10)
                    s = ctx.wrap_socket(raw, server_hostname="localhost", session=session)
                    # TLS 1.3 tickets come after the handshake: read something first.
                    self.assertTrue(t.LineReader(s).readline().startswith("* OK"))
                    reused.append(s.session_reused)
                    session = s.session
                    s.close()
                self.assertEqual(reused, [False, True, True])

    def test_command_in_the_handshake_flight_gets_the_greeting_first(self):
        s = t.tls_connect(self.srv.ports["imaps"], self.ctx)
        s.sendall(b"a NOOP\r\n")  # Before reading anything: may share a read with Finished.
        c = t.LineReader(s)
        self.assertTrue(c.readline().startswith("* OK [CAPABILITY"))
        self.assertTrue(c.until_tagged("a")[-1].startswith("a OK"))
        c.close()

    def test_large_message_both_ways(self):
        # Many TLS records in each direction: APPEND 1.5 MB, FETCH it back byte for byte.
        body = b"".join(b"line %07d ......................................................\r\n"
                        % i for i in range(24000))
        msg = b"From: big@example.com\r\nSubject: big\r\n\r\n" + body
        m = self.srv.imaps("alice")
        self.assertEqual(m.create("Big")[0], "OK")
        typ, data = m.append("Big", None, None, msg)
        self.assertEqual(typ, "OK", data)
        self.assertEqual(m.select("Big"), ("OK", [b"1"]))
        typ, data = m.fetch("1", "(BODY.PEEK[])")
        self.assertEqual(typ, "OK")
        self.assertEqual(data[0][1], msg)
        m.logout()

    def test_logout_ends_with_close_notify(self):
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            with self.subTest(version=version.name):
                ctx = t.client_context(self.srv.ca, minimum=version, maximum=version)
                s = t.tls_connect(self.srv.ports["imaps"], ctx)
                c = t.LineReader(s)
                c.readline()
                c.send("a LOGOUT\r\n")
                lines = c.until_tagged("a")
                self.assertEqual([ln[:5] for ln in lines], ["* BYE", "a OK "], lines)
                self.assertEqual(s.recv(100), b"")
                # unwrap() raises on a TCP close without the close_notify alert.
                s.unwrap().close()

    # --- ALPN ---------------------------------------------------------------------------------
    def test_alpn_imap_accepted(self):
        for offer in (["imap"], ["h2", "imap"]):
            with self.subTest(offer=offer):
                s = t.tls_connect(self.srv.ports["imaps"],
                                  t.client_context(self.srv.ca, alpn=offer))
                self.assertEqual(s.selected_alpn_protocol(), "imap")
                self.assertTrue(t.LineReader(s).readline().startswith("* OK"))
                s.close()

    def test_no_alpn_accepted(self):
        s = t.tls_connect(self.srv.ports["imaps"], self.ctx)
        self.assertIsNone(s.selected_alpn_protocol())
        s.close()

    def test_alpn_without_imap_refused(self):
        for offer in (["h2"], ["pop3"]):
            with self.subTest(offer=offer):
                with self.assertRaises(ssl.SSLError) as cm:
                    t.tls_connect(self.srv.ports["imaps"],
                                  t.client_context(self.srv.ca, alpn=offer))
                self.assertRegex(str(cm.exception), r"(?i)no.application.protocol")

    # --- privilege separation -----------------------------------------------------------------
    @unittest.skipUnless(os.geteuid() == 0, "needs root (workers then run as nobody)")
    def test_key_read_by_root_master_handshakes_in_unprivileged_worker(self):
        key = self.srv.path("tls", "server.key")
        st = os.stat(key)
        self.assertEqual((st.st_uid, st.st_mode & 0o777), (0, 0o600))
        # TLS is done by the login worker, which runs as the login user.
        workers = h.accepting_workers(self.srv.proc.pid)
        self.assertEqual(len(workers), 1)
        login_user = pwd.getpwnam("satchel").pw_uid
        self.assertEqual(uids_of(workers[0]), [login_user] * 4)
        # The worker could not open the key itself, yet it completes handshakes.
        s = t.tls_connect(self.srv.ports["imaps"], self.ctx)
        self.assertTrue(t.LineReader(s).readline().startswith("* OK"))
        s.close()
        for fd in os.listdir(f"/proc/{workers[0]}/fd"):
            try:
                target = os.readlink(f"/proc/{workers[0]}/fd/{fd}")
            except OSError:
                continue
            self.assertNotIn("tls/", target, "the worker holds a TLS file open")

    # --- failures are logged, stalls are cut --------------------------------------------------
    def test_failed_handshake_is_logged_with_reason_and_ip(self):
        s = socket.create_connection(("127.0.0.1", self.srv.ports["imaps"]), 10)
        s.sendall(b"a CAPABILITY\r\n")  # Plaintext to the implicit-TLS port.
        s.settimeout(10)
        try:
            while s.recv(4096):
                pass
        except OSError:
            pass
        s.close()
        self.assertTrue(self.srv.log_contains(
            r"tls failed: rip=127\.0\.0\.1 reason=(wrong version|http request|record|packet)"),
            "\n".join(self.srv.log_lines[-20:]))

    def test_stalled_handshake_is_cut_after_handshake_timeout(self):
        s = socket.create_connection(("127.0.0.1", self.srv.ports["imaps"]), 10)
        s.settimeout(HANDSHAKE_TIMEOUT_S + 3)
        start = time.monotonic()
        try:
            data = s.recv(4096)  # Send nothing: the server must give up on its own.
        except socket.timeout:
            data = None
        finally:
            s.close()
        self.assertEqual(data, b"", "the server kept a silent handshake open")
        self.assertLess(time.monotonic() - start, HANDSHAKE_TIMEOUT_S + 2)


if __name__ == "__main__":
    unittest.main()
