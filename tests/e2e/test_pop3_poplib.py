"""POP3 end to end with Python's poplib and raw sockets: plain, STLS and POP3S logins, CAPA,
STAT/LIST/UIDL/TOP/RETR byte for byte, DELE/RSET/QUIT semantics, the maildrop lock, failed
logins, SASL PLAIN, the STLS command-injection case, restarts and bad input (RFC 1939, 2449,
2595, 5034)."""

import os
import poplib
import re
import socket
import threading
import time
import unittest

import satchel_harness as h
from pop3_support import (RawPop, as_retrieved, crlf_form, generated_message, plain_ir,
                          poplib_body)


def caps_of(client):
    return {k.upper(): v for k, v in client.capa().items()}


def imap_state(srv, user):
    """(UIDVALIDITY, [UIDs], {uid: subject}) of the user's INBOX, seen over IMAP."""
    m = srv.imap(user)
    typ, data = m.status("INBOX", "(UIDVALIDITY)")
    uidvalidity = int(re.search(rb"UIDVALIDITY (\d+)", data[0]).group(1))
    m.select("INBOX", readonly=True)
    typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    subjects = {}
    for item in data:
        if isinstance(item, tuple):
            uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
            subjects[uid] = item[1].strip().decode()
    m.logout()
    return uidvalidity, sorted(subjects), subjects


def append_all(srv, user, bodies):
    """Replaces the user's INBOX content with `bodies` (appended over IMAP)."""
    m = srv.imap(user)
    m.select("INBOX")
    if int(m.select("INBOX")[1][0]):
        m.store("1:*", "+FLAGS", r"(\Deleted)")
        m.expunge()
    m.close()
    for body in bodies:
        typ, _ = m.append("INBOX", None, None, body)
        assert typ == "OK"
    m.logout()


def small(subject):
    return (f"From: t@example.com\r\nSubject: {subject}\r\n\r\nbody of {subject}\r\n").encode()


class Pop3Poplib(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Each `satchel-admin user add` costs a password hash: few users. alice's maildrop is
        # read-only; bob's is refilled by each test that changes it; carol is for the dropped
        # connection, dave for the lock.
        cls.srv = h.Instance(users=("alice", "bob", "carol", "dave"), workers=2, tls=True)
        # alice's maildrop, read-only for every test: plain, dot-stuffing, large, no final
        # CRLF (appended over IMAP), and a bare-LF file delivered like an MTA would.
        cls.alice = [
            small("first"),
            generated_message(2, 3000, dot_lines=True),
            generated_message(3, 200_000),
            b"From: t@example.com\r\nSubject: no final newline\r\n\r\nlast line",
            b"From: t@example.com\r\nSubject: ends in a dot\r\n\r\nfoo\r\n.",
        ]
        append_all(cls.srv, "alice", cls.alice)
        bare = generated_message(5, 2000, bare_lf=True, dot_lines=True)
        assert b"\r" not in bare and b"\n.\n" in bare
        cls.srv.deliver("alice", bare)
        cls.alice.append(bare)

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def pop3_localhost(self):
        return poplib.POP3("localhost", self.srv.ports["pop3"], timeout=30)

    # --- logins and CAPA ------------------------------------------------------------------
    def test_user_pass_over_plain_from_loopback(self):
        p = self.srv.pop3("alice")
        count, octets = p.stat()
        self.assertEqual(count, len(self.alice))
        self.assertEqual(octets, sum(len(crlf_form(m)) for m in self.alice))
        self.assertTrue(p.quit().startswith(b"+OK"))

    def test_capa_before_and_after_stls_then_login(self):
        p = self.pop3_localhost()
        caps = caps_of(p)
        for name in ("TOP", "UIDL", "USER", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING",
                     "STLS", "IMPLEMENTATION"):
            self.assertIn(name, caps)
        self.assertEqual(caps["SASL"], ["PLAIN", "LOGIN"])
        p.stls(self.srv.ssl_context())  # Verifies the chain and the name "localhost".
        self.assertEqual(p.sock.version() in ("TLSv1.2", "TLSv1.3"), True)
        caps = caps_of(p)
        self.assertNotIn("STLS", caps)  # RFC 2595 §4: not offered once TLS is active.
        self.assertIn("USER", caps)
        self.assertEqual(caps["SASL"], ["PLAIN", "LOGIN"])
        p.user("alice")
        p.pass_(h.PASSWORD)
        self.assertEqual(p.stat()[0], len(self.alice))
        p.quit()

    def test_stls_twice_and_in_transaction_is_refused(self):
        raw = RawPop(self.srv.ports["pop3"])
        self.assertTrue(raw.cmd("STLS").startswith("+OK"))
        raw.sock = self.srv.ssl_context().wrap_socket(raw.sock, server_hostname="localhost")
        self.assertTrue(raw.cmd("STLS").startswith("-ERR"))
        raw.login("alice")
        self.assertTrue(raw.cmd("STLS").startswith("-ERR"))
        self.assertTrue(raw.cmd("STAT").startswith("+OK"))
        raw.quit()

    def test_pop3s(self):
        p = self.srv.pop3s()
        caps = caps_of(p)
        self.assertNotIn("STLS", caps)
        self.assertIn("USER", caps)
        p.user("alice")
        p.pass_(h.PASSWORD)
        self.assertEqual(p.stat()[0], len(self.alice))
        p.quit()

    def test_transaction_capa_and_quit_in_authorization(self):
        p = self.srv.pop3("alice")
        caps = caps_of(p)
        self.assertIn("TOP", caps)
        self.assertIn("UIDL", caps)
        p.quit()
        raw = RawPop(self.srv.ports["pop3"])
        self.assertTrue(raw.cmd("QUIT").startswith("+OK"))
        self.assertTrue(raw.closed())

    # --- reading -----------------------------------------------------------------------------
    def test_stat_list_uidl_match_the_store(self):
        uidvalidity, uids, _ = imap_state(self.srv, "alice")
        self.assertEqual(len(uids), len(self.alice))
        p = self.srv.pop3("alice")
        resp, lines, _ = p.list()
        self.assertEqual([l.decode() for l in lines],
                         [f"{i} {len(crlf_form(m))}" for i, m in enumerate(self.alice, 1)])
        # RFC 1939 §7 UIDL: UIDVALIDITY and UID of the message, as IMAP sees it.
        resp, lines, _ = p.uidl()
        expected = [f"{i} {uidvalidity:08x}{uid:08x}" for i, uid in enumerate(uids, 1)]
        self.assertEqual([l.decode() for l in lines], expected)
        for i, uid in enumerate(uids, 1):
            self.assertEqual(p.uidl(i).decode(), f"+OK {i} {uidvalidity:08x}{uid:08x}")
            self.assertEqual(p.list(i).decode(), f"+OK {i} {len(crlf_form(self.alice[i - 1]))}")
        p.quit()

    def test_retr_with_poplib_is_byte_exact(self):
        p = self.srv.pop3("alice")
        for i, msg in enumerate(self.alice, 1):
            resp, lines, octets = p.retr(i)
            self.assertEqual(poplib_body(lines), as_retrieved(msg), f"message {i}")
        p.quit()

    def test_retr_wire_bytes_are_dot_stuffed_crlf(self):
        raw = RawPop(self.srv.ports["pop3"])
        raw.login("alice")
        for i, msg in enumerate(self.alice, 1):
            status = raw.cmd(f"RETR {i}")
            # RFC 1939 §7: the size is the one LIST gives, before stuffing.
            self.assertEqual(status, f"+OK {len(crlf_form(msg))} octets")
            wire = raw.multiline_raw()
            expected = re.sub(rb"(?m)^\.", b"..", as_retrieved(msg))
            self.assertEqual(wire, expected, f"message {i}")
            self.assertNotIn(b"\n\n", wire)  # No bare LF went out.
            self.assertEqual(wire.count(b"\n"), wire.count(b"\r\n"))
        raw.cmd("QUIT")
        raw.close()

    def test_top(self):
        p = self.srv.pop3("alice")
        for i, msg in enumerate(self.alice, 1):
            full = as_retrieved(msg)
            header, sep, body = full.partition(b"\r\n\r\n")
            body_lines = body.split(b"\r\n")[:-1] if body else []
            for n in (0, 1, 3, 10**9):
                resp, lines, _ = p.top(i, n)
                want = header + sep + b"".join(l + b"\r\n" for l in body_lines[:n])
                self.assertEqual(poplib_body(lines), want, f"TOP {i} {n}")
        p.quit()

    def test_pipelined_commands_answered_in_order(self):
        raw = RawPop(self.srv.ports["pop3"])
        raw.send(f"USER alice\r\nPASS {h.PASSWORD}\r\nSTAT\r\nLIST\r\nRETR 1\r\nUIDL 1\r\n"
                 "NOOP\r\nQUIT\r\n")
        self.assertTrue(raw.line().startswith("+OK"))
        self.assertTrue(raw.line().startswith("+OK"))
        self.assertEqual(raw.line(), "+OK %d %d" % (len(self.alice),
                                                    sum(len(crlf_form(m)) for m in self.alice)))
        self.assertTrue(raw.line().startswith("+OK"))
        self.assertEqual(raw.multiline_raw().count(b"\r\n"), len(self.alice))
        self.assertTrue(raw.line().startswith("+OK"))
        self.assertEqual(raw.multiline_raw(), as_retrieved(self.alice[0]))
        self.assertTrue(raw.line().startswith("+OK 1 "))
        self.assertEqual(raw.line(), "+OK")
        self.assertTrue(raw.line().startswith("+OK"))
        self.assertTrue(raw.closed())

    def test_many_pipelined_retr_without_reading(self):
        # 40 RETRs of the 200 kB message in one write, read only afterwards: the server must
        # hold back (output high-water mark) and then deliver all of them intact.
        raw = RawPop(self.srv.ports["pop3s"], tls_context=self.srv.ssl_context())
        raw.login("alice")
        raw.send("RETR 3\r\n" * 40 + "QUIT\r\n")
        time.sleep(1)
        want = as_retrieved(self.alice[2])
        for _ in range(40):
            self.assertEqual(raw.line(), "+OK %d octets" % len(crlf_form(self.alice[2])))
            self.assertEqual(raw.multiline_raw(), want)
        self.assertTrue(raw.line().startswith("+OK Bye"))
        raw.close()

    def test_client_gone_in_the_middle_of_big_output(self):
        # The client asks for 8 MB and leaves without reading: the session ends, the maildrop
        # lock is released, nothing is deleted.
        raw = RawPop(self.srv.ports["pop3"])
        raw.login("alice")
        raw.send("DELE 1\r\n" + "RETR 3\r\n" * 40)
        time.sleep(0.3)
        raw.close()
        p = self.login_retrying_in_use("alice")
        self.assertEqual(p.stat()[0], len(self.alice))
        p.quit()

    # --- DELE, RSET, QUIT, dropped connections, the lock -------------------------------------
    def login_retrying_in_use(self, user, deadline=10):
        """A dropped connection releases the lock when the server has noticed the EOF."""
        end = time.time() + deadline
        while True:
            try:
                return self.srv.pop3(user)
            except poplib.error_proto as e:
                if b"[IN-USE]" not in e.args[0] or time.time() > end:
                    raise
                time.sleep(0.1)

    def test_dele_then_quit_removes_the_message(self):
        append_all(self.srv, "bob", [small("b1"), small("b2"), small("b3")])
        _, uids, _ = imap_state(self.srv, "bob")
        p = self.srv.pop3("bob")
        before = [l for l in p.uidl()[1]]
        self.assertTrue(p.dele(2).startswith(b"+OK"))
        self.assertEqual(p.stat(), (2, len(small("b1")) + len(small("b3"))))
        # RFC 1939 §5: a deleted message may not be referred to; listings skip it.
        for call in (lambda: p.retr(2), lambda: p.list(2), lambda: p.dele(2), lambda: p.top(2, 0),
                     lambda: p.uidl(2)):
            self.assertRaises(poplib.error_proto, call)
        self.assertEqual([l.split()[0] for l in p.list()[1]], [b"1", b"3"])
        # Nothing is removed before QUIT (UPDATE state, RFC 1939 §6).
        self.assertEqual(len(imap_state(self.srv, "bob")[1]), 3)
        self.assertIn(b"1 messages deleted", p.quit())
        _, after_uids, subjects = imap_state(self.srv, "bob")
        self.assertEqual(after_uids, [uids[0], uids[2]])
        self.assertEqual(sorted(subjects.values()), ["Subject: b1", "Subject: b3"])
        # Gone from the disk too, not only from the index.
        files = os.listdir(self.srv.maildir("bob", "cur")) + os.listdir(
            self.srv.maildir("bob", "new"))
        self.assertEqual(len(files), 2, files)
        p = self.srv.pop3("bob")
        self.assertEqual(p.uidl()[1], [b"1 " + before[0].split()[1], b"2 " + before[2].split()[1]])
        p.quit()

    def test_dele_then_connection_drop_deletes_nothing(self):
        append_all(self.srv, "carol", [small("c1"), small("c2")])
        p = self.srv.pop3("carol")
        p.dele(1)
        p.dele(2)
        self.assertEqual(p.stat(), (0, 0))
        # No QUIT: the socket goes away (poplib's makefile holds the fd, so close both).
        p.sock.shutdown(socket.SHUT_RDWR)
        p.close()
        p = self.login_retrying_in_use("carol")
        self.assertEqual(p.stat()[0], 2)
        p.quit()
        self.assertEqual(len(imap_state(self.srv, "carol")[1]), 2)

    def test_rset_unmarks(self):
        append_all(self.srv, "bob", [small("b1"), small("b2"), small("b3")])
        p = self.srv.pop3("bob")
        total = p.stat()
        p.dele(1)
        p.dele(3)
        self.assertEqual(p.stat()[0], 1)
        self.assertTrue(p.rset().startswith(b"+OK"))
        self.assertEqual(p.stat(), total)
        self.assertEqual(poplib_body(p.retr(3)[1]), small("b3"))
        p.dele(2)
        self.assertIn(b"1 messages deleted", p.quit())
        _, _, subjects = imap_state(self.srv, "bob")
        self.assertEqual(sorted(subjects.values()), ["Subject: b1", "Subject: b3"])

    def test_second_session_of_same_user_gets_in_use(self):
        append_all(self.srv, "dave", [small("d1")])
        first = self.srv.pop3s("dave")
        second = self.srv.pop3()
        second.user("dave")
        with self.assertRaises(poplib.error_proto) as cm:
            second.pass_(h.PASSWORD)
        self.assertTrue(cm.exception.args[0].startswith(b"-ERR [IN-USE]"), cm.exception.args)
        # More tries, over both listeners (the two workers share the lock, a flock on disk).
        for port in ("pop3", "pop3s", "pop3"):
            raw = RawPop(self.srv.ports[port], tls_context=self.srv.ssl_context()
                         if port == "pop3s" else None)
            raw.cmd("USER dave")
            self.assertTrue(raw.cmd("PASS " + h.PASSWORD).startswith("-ERR [IN-USE]"))
            raw.close()
        # IMAP runs alongside a POP3 session.
        m = self.srv.imap("dave")
        self.assertEqual(m.select("INBOX")[0], "OK")
        m.logout()
        # The login happened in a login worker and the lock is taken in a mail worker, which
        # cannot go back to AUTHORIZATION: after [IN-USE] the connection is closed (as
        # Dovecot's pop3 does). Once the lock is free a new connection gets in.
        with self.assertRaises((poplib.error_proto, OSError)):
            second.user("dave")
        first.quit()
        third = self.srv.pop3("dave")
        self.assertEqual(third.stat()[0], 1)
        third.quit()

    # --- failed logins and SASL --------------------------------------------------------------
    def test_wrong_password_gets_auth_code_and_delays_only_that_session(self):
        bad = RawPop(self.srv.ports["pop3"])
        done = {}

        def good_login():
            t = time.time()
            p = self.srv.pop3("bob")
            p.stat()
            p.quit()
            done["good"] = time.time() - t

        t0 = time.time()
        bad.send("USER nobody-here\r\nPASS wrong-password\r\nQUIT\r\n")
        self.assertTrue(bad.line().startswith("+OK"))
        thread = threading.Thread(target=good_login)
        thread.start()
        reply = bad.line()
        self.assertTrue(reply.startswith("-ERR [AUTH]"), reply)  # RFC 3206 AUTH-RESP-CODE.
        self.assertTrue(bad.line().startswith("+OK"))  # QUIT, answered after the delay.
        bad_total = time.time() - t0
        thread.join(30)
        # The harness configures failure_delay = 500ms; the pipelined QUIT waits for it.
        self.assertGreaterEqual(bad_total, 0.45)
        self.assertIn("good", done)
        self.assertLess(done["good"], bad_total)
        self.assertTrue(self.srv.log_contains(r"auth failed: user=nobody-here rip=127\.0\.0\.1 mech=USER"))
        bad.close()

    # [auth] failure_delay reaches the sessions through protocol::Limits.
    def test_failed_login_delay_follows_config(self):
        # [auth] failure_delay = 500ms in the harness configuration.
        raw = RawPop(self.srv.ports["pop3"])
        t0 = time.time()
        raw.send("USER nobody-here\r\nPASS nope\r\nNOOP\r\n")
        raw.line()
        raw.line()
        raw.line()
        elapsed = time.time() - t0
        raw.close()
        self.assertLess(elapsed, 1.5, "the failed-login delay ignores [auth] failure_delay")

    # The -ERR [AUTH] answer itself is held for the delay, so a client that reconnects after
    # each -ERR still waits (DESIGN.md "Failed logins are delayed", like Dovecot's
    # auth_failure_delay).
    def test_failed_login_answer_is_held_for_the_delay(self):
        def timed_pass(password):
            raw = RawPop(self.srv.ports["pop3"])
            raw.cmd("USER bob")
            t = time.time()
            reply = raw.cmd("PASS " + password)
            elapsed = time.time() - t
            raw.close()
            return reply, elapsed

        ok_reply, ok_time = timed_pass(h.PASSWORD)
        self.assertTrue(ok_reply.startswith("+OK"), ok_reply)
        bad_reply, bad_time = timed_pass("wrong")
        self.assertTrue(bad_reply.startswith("-ERR [AUTH]"), bad_reply)
        self.assertGreater(bad_time, ok_time + 0.3, "-ERR [AUTH] came without the delay")

    def test_auth_plain_with_initial_response(self):
        raw = RawPop(self.srv.ports["pop3"])
        reply = raw.cmd("AUTH PLAIN " + plain_ir("bob"))
        self.assertTrue(reply.startswith("+OK"), reply)
        self.assertTrue(raw.cmd("STAT").startswith("+OK 0 0"))
        self.assertTrue(raw.cmd("QUIT").startswith("+OK"))
        raw.close()

    def test_auth_plain_without_initial_response_and_failures(self):
        raw = RawPop(self.srv.ports["pop3s"], tls_context=self.srv.ssl_context())
        self.assertEqual(raw.cmd("AUTH PLAIN"), "+ ")
        self.assertTrue(raw.cmd("*").startswith("-ERR"))  # RFC 5034 §4: cancelled.
        self.assertTrue(raw.cmd("AUTH CRAM-MD5").startswith("-ERR"))
        self.assertEqual(raw.cmd("AUTH PLAIN"), "+ ")
        self.assertTrue(raw.cmd(plain_ir("bob")).startswith("+OK"))
        self.assertTrue(raw.cmd("STAT").startswith("+OK"))
        raw.quit()
        # Failures, one per connection (each holds its connection for the failed-login delay):
        # a wrong password, and proxy authorization, which is not granted.
        for ir in (plain_ir("bob", "bad"), plain_ir("bob", authzid="alice")):
            raw = RawPop(self.srv.ports["pop3s"], tls_context=self.srv.ssl_context())
            reply = raw.cmd("AUTH PLAIN " + ir)
            self.assertTrue(reply.startswith("-ERR [AUTH]"), reply)
            raw.close()

    def test_stls_command_injection_is_discarded(self):
        raw = RawPop(self.srv.ports["pop3"])
        # Both lines in one TCP write: the USER must not survive into the TLS session.
        raw.send("STLS\r\nUSER alice\r\n")
        self.assertTrue(raw.line().startswith("+OK"))
        self.assertEqual(raw.buf, b"")
        raw.sock = self.srv.ssl_context().wrap_socket(raw.sock, server_hostname="localhost")
        reply = raw.cmd("PASS " + h.PASSWORD)
        self.assertTrue(reply.startswith("-ERR"), reply)
        self.assertNotIn("[AUTH]", reply)  # Refused as out of sequence, not a failed login.
        self.assertTrue(raw.cmd("STAT").startswith("-ERR"))
        raw.login("alice")
        self.assertTrue(raw.cmd("STAT").startswith("+OK"))
        raw.quit()
        self.assertFalse(any("auth failed: user=alice" in l for l in self.srv.log_lines))

    # --- bad input ---------------------------------------------------------------------------
    def test_line_too_long_gets_err_and_session_continues(self):
        raw = RawPop(self.srv.ports["pop3"])
        self.assertTrue(raw.cmd("NOOP " + "x" * 600).startswith("-ERR"))
        raw.login("alice")
        self.assertTrue(raw.cmd("LIST " + "9" * 100_000).startswith("-ERR"))
        self.assertTrue(raw.cmd("STAT").startswith("+OK %d " % len(self.alice)))
        # A line within the limit (RFC 2449 §4 allows 255 octets) is fine.
        self.assertTrue(raw.cmd("LIST 1" + " " * 240).startswith("+OK 1 "))
        raw.cmd("QUIT")
        raw.close()

    def test_transaction_commands_before_login(self):
        raw = RawPop(self.srv.ports["pop3"])
        for line in ("STAT", "RETR 1", "LIST", "DELE 1", "NOOP", "RSET", "UIDL", "TOP 1 1"):
            self.assertTrue(raw.cmd(line).startswith("-ERR"), line)
        self.assertTrue(raw.cmd("PASS " + h.PASSWORD).startswith("-ERR"))
        raw.login("alice")
        raw.quit()

    def test_bad_arguments_and_wrong_state(self):
        # Fewer than 20 rejected commands: the session closes at 20 (the next test).
        raw = RawPop(self.srv.ports["pop3"])
        raw.login("alice")
        for line in ("RETR 0", "RETR -1", "RETR 1x", "TOP 1 -1", "TOP 1", "TOP 1 x",
                     "LIST 99999999999999999999", "LIST 4294967296", "UIDL 99999",
                     "DELE 0", "LIST 1 2", "RETR", "USER alice", "PASS x", "AUTH PLAIN",
                     "STAT 1", "BOGUS", ""):
            reply = raw.cmd(line)
            self.assertTrue(reply.startswith("-ERR"), f"{line!r}: {reply}")
        self.assertEqual(raw.cmd("STAT"), "+OK %d %d" % (
            len(self.alice), sum(len(crlf_form(m)) for m in self.alice)))
        # Keywords are case-insensitive; a listing names the message-number, not "01".
        self.assertTrue(raw.cmd("stat").startswith("+OK"))
        self.assertEqual(raw.cmd("list 01"), "+OK 1 %d" % len(self.alice[0]))
        self.assertTrue(raw.cmd("UiDl 001").startswith("+OK 1 "))
        self.assertTrue(raw.cmd("QUIT").startswith("+OK Bye, 0"))
        raw.close()

    def test_too_many_bad_commands_close_the_connection(self):
        raw = RawPop(self.srv.ports["pop3"])
        replies = [raw.cmd("BOGUS") for _ in range(20)]
        self.assertTrue(all(r.startswith("-ERR") for r in replies))
        self.assertTrue(raw.closed())

    # --- restart -----------------------------------------------------------------------------
    def test_uidl_stable_across_restart_and_shutdown_deletes_nothing(self):
        p = self.srv.pop3("alice")
        before = p.uidl()[1]
        p.quit()
        # A session in TRANSACTION when the server stops: told so, and its DELE is not done
        # (no QUIT, no UPDATE state: RFC 1939 §6).
        raw = RawPop(self.srv.ports["pop3"])
        raw.login("alice")
        self.assertTrue(raw.cmd("DELE 1").startswith("+OK"))
        self.srv.restart()
        self.assertTrue(raw.closed(10))
        self.assertIn(b"-ERR", raw.buf)
        raw.close()
        p = self.srv.pop3s("alice")
        self.assertEqual(p.uidl()[1], before)
        p.quit()


if __name__ == "__main__":
    unittest.main()
