"""Cyrus SASL backend end to end (issue 6): a sasldb made with saslpasswd2, logins with every
mechanism driven by real SASL clients (gsasl, curl) over IMAP AUTHENTICATE and POP3 AUTH, with
SASL-IR and without, each followed by real commands on the session.
"""

import imaplib
import os
import re
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import auth_support as a  # noqa: E402
import satchel_harness as h  # noqa: E402

CAROL_PW = a.random_password()  # sasldb-only user with mail.
DAVE_PW = a.random_password()   # sasldb-only user for wrong passwords.


def non_loopback_ipv4():
    """An IPv4 address of this machine outside 127/8, or None."""
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect(("192.0.2.1", 9))  # No packet is sent: this only picks the route's source.
        ip = s.getsockname()[0]
        s.close()
    except OSError:
        return None
    return None if ip.startswith("127.") else ip


def start_instance(mechanisms=None, extra_auth="", failure_delay="500ms", extra_config="",
                   users=("alice",)):
    """A satcheld with backends = sqlite sasl; alice is in the userdb, carol and dave only in
    the sasldb; carol has one message."""
    a.ensure_login_user()  # The split model's login user (root only).
    inst = h.Instance(users=users, start=False, failure_delay=failure_delay,
                      extra_config=extra_config)
    try:
        db = inst.path("auth", "sasldb2")
        a.make_sasldb(db, {"carol": CAROL_PW, "dave": DAVE_PW})
        inst.fix_owner()
        with open(inst.config, "a") as f:
            f.write("\n" + a.sasl_auth_config(inst.dir, db, mechanisms, extra=extra_auth))
        a.add_mail_user(inst, "carol", ["sasl-mail"])
        a.add_mail_user(inst, "dave")
        inst.start()
    except BaseException:
        inst.close()
        raise
    return inst


def skip_without_tools(test):
    missing = a.tool_missing(a.SASLPASSWD2, "gsasl", "curl")
    if missing:
        test.skipTest(f"{missing} is not installed")


class SaslMechanisms(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.inst = None
        if a.tool_missing(a.SASLPASSWD2, "gsasl", "curl"):
            return
        # Small delays: the wrong-password cases fail several times in a row.
        cls.inst = start_instance(extra_auth="failure_delay_max = 300ms\n",
                                  failure_delay="100ms")

    @classmethod
    def tearDownClass(cls):
        if cls.inst:
            cls.inst.close()

    def setUp(self):
        skip_without_tools(self)

    # --- advertising -------------------------------------------------------------------------
    def test_every_mechanism_is_advertised_on_loopback(self):
        imap = a.imap_mechanisms(self.inst.ports["imap"])
        pop3 = a.pop3_mechanisms(self.inst.ports["pop3"])
        for mech in a.SASL_MECHANISMS:
            self.assertIn(mech, imap, f"IMAP CAPABILITY lacks AUTH={mech}")
            self.assertIn(mech, pop3, f"POP3 CAPA SASL lacks {mech}")
        # No keytab configured: no GSSAPI.
        self.assertNotIn("GSSAPI", imap)
        self.assertNotIn("GSSAPI", pop3)

    # --- gsasl, the protocol carried by the test ---------------------------------------------
    def imap_session(self, mech, user, password, sasl_ir):
        conn = a.Conn(self.inst.ports["imap"])
        self.addCleanup(conn.close)
        self.assertTrue(conn.readline().startswith("* OK"))
        client = a.Gsasl(mech, user, password, service="imap", realm=a.SASL_REALM)
        self.addCleanup(client.kill)
        tagged, conts, _, rc = a.imap_authenticate(conn, client, sasl_ir)
        return conn, client, tagged, conts, rc

    def test_gsasl_imap_every_mechanism_with_and_without_sasl_ir(self):
        for mech in a.SASL_MECHANISMS:
            for ir in (True, False):
                with self.subTest(mech=mech, sasl_ir=ir):
                    conn, client, tagged, conts, rc = self.imap_session(
                        mech, "carol", CAROL_PW, ir)
                    self.assertTrue(tagged.startswith("A1 OK"), f"{tagged}\n{client.stderr()}")
                    self.assertEqual(rc, 0, "gsasl not satisfied: " + client.stderr())
                    if mech == "PLAIN" and ir:
                        self.assertEqual(conts, 0, "the SASL-IR initial response was ignored")
                    if not ir:
                        self.assertGreaterEqual(conts, 1)
                    # The session works: the message delivered before is there.
                    conn.send("A2 SELECT INBOX")
                    lines = conn.until_tagged("A2")
                    self.assertIn("* 1 EXISTS", lines)
                    self.assertTrue(lines[-1].startswith("A2 OK"), lines)
                    conn.send("A3 FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
                    lines = conn.until_tagged("A3")
                    self.assertTrue(any("Subject: sasl-mail" in l for l in lines), lines)
                    conn.send("A4 LOGOUT")
                    conn.until_tagged("A4")
                    self.assertTrue(self.inst.log_contains(a.login_line("carol", mech)),
                                    f"no login line with mech={mech}")

    def test_gsasl_pop3_every_mechanism_with_and_without_sasl_ir(self):
        for mech in a.SASL_MECHANISMS:
            for ir in (True, False):
                with self.subTest(mech=mech, sasl_ir=ir):
                    conn = a.Conn(self.inst.ports["pop3"])
                    self.addCleanup(conn.close)
                    self.assertTrue(conn.readline().startswith("+OK"))
                    client = a.Gsasl(mech, "carol", CAROL_PW, service="pop",
                                     realm=a.SASL_REALM)
                    self.addCleanup(client.kill)
                    final, conts, rc = a.pop3_authenticate(conn, client, ir)
                    self.assertTrue(final.startswith("+OK"), f"{final}\n{client.stderr()}")
                    self.assertEqual(rc, 0, "gsasl not satisfied: " + client.stderr())
                    if not ir:
                        self.assertGreaterEqual(conts, 1)
                    conn.send("STAT")
                    self.assertTrue(conn.readline().startswith("+OK 1 "))
                    conn.send("RETR 1")
                    self.assertTrue(conn.readline().startswith("+OK"))
                    self.assertIn("Subject: sasl-mail", conn.pop3_multiline())
                    conn.send("QUIT")
                    self.assertTrue(conn.readline().startswith("+OK"))
                    conn.close()

    def test_gsasl_own_imap_mode(self):
        # gsasl speaking IMAP itself (CAPABILITY, AUTHENTICATE, its own SASL-IR choice).
        for mech in a.SASL_MECHANISMS:
            with self.subTest(mech=mech):
                r = subprocess.run(
                    [a.GSASL, "--imap", "--no-starttls", "--connect",
                     f"127.0.0.1:{self.inst.ports['imap']}", "--mechanism", mech,
                     "--authentication-id", "carol", "--password", CAROL_PW,
                     "--realm", a.SASL_REALM, "--hostname", a.SASL_HOST,
                     "--quality-of-protection=qop-auth"],
                    stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                self.assertIn("authentication finished", r.stderr)

    def test_wrong_password_every_mechanism(self):
        for mech in a.SASL_MECHANISMS:
            with self.subTest(mech=mech):
                conn, client, tagged, _, rc = self.imap_session(mech, "dave", "not-" + DAVE_PW,
                                                                True)
                self.assertTrue(tagged.startswith("A1 NO"), tagged)
                self.assertIsNone(rc)
                self.assertTrue(self.inst.log_contains(a.failed_line("dave", mech)),
                                f"no 'auth failed' line with mech={mech}")
                conn.send("A2 SELECT INBOX")
                self.assertTrue(conn.until_tagged("A2")[-1].startswith("A2 BAD"))

    def test_wrong_password_pop3(self):
        conn = a.Conn(self.inst.ports["pop3"])
        self.addCleanup(conn.close)
        conn.readline()
        client = a.Gsasl("CRAM-MD5", "dave", "wrong", service="pop")
        self.addCleanup(client.kill)
        final, _, rc = a.pop3_authenticate(conn, client, False)
        self.assertTrue(final.startswith("-ERR"), final)
        self.assertTrue(self.inst.log_contains(a.failed_line("dave", "CRAM-MD5")))

    def test_cancel_and_invalid_base64(self):
        # RFC 3501 6.2.2: "*" cancels with BAD; a line that is not base64 is BAD as well.
        for mech, answer in (("SCRAM-SHA-256", "*"), ("CRAM-MD5", "*"),
                             ("DIGEST-MD5", "not base64!"), ("LOGIN", "%%%")):
            with self.subTest(mech=mech, answer=answer):
                conn = a.Conn(self.inst.ports["imap"])
                self.addCleanup(conn.close)
                conn.readline()
                conn.send(f"A1 AUTHENTICATE {mech}")
                self.assertTrue(conn.readline().startswith("+"))
                conn.send(answer)
                self.assertTrue(conn.until_tagged("A1")[-1].startswith("A1 BAD"))
                # The connection is still usable: a real login follows.
                client = a.Gsasl(mech, "carol", CAROL_PW, realm=a.SASL_REALM)
                self.addCleanup(client.kill)
                tagged, _, _, rc = a.imap_authenticate(conn, client, False, tag="A2")
                self.assertTrue(tagged.startswith("A2 OK"), tagged)
        # POP3 (RFC 5034 4): "*" cancels with -ERR.
        conn = a.Conn(self.inst.ports["pop3"])
        self.addCleanup(conn.close)
        conn.readline()
        conn.send("AUTH CRAM-MD5")
        self.assertTrue(conn.readline().startswith("+ "))
        conn.send("*")
        self.assertTrue(conn.readline().startswith("-ERR"))
        conn.send("AUTH SCRAM-SHA-1")
        self.assertTrue(conn.readline().startswith("+"))
        conn.send("@@not-base64@@")
        self.assertTrue(conn.readline().startswith("-ERR"))
        conn.send("NOOP")  # Still in AUTHORIZATION: NOOP is not allowed, but answered.
        self.assertTrue(conn.readline().startswith("-ERR"))

    # --- curl --------------------------------------------------------------------------------
    def test_curl_imap_every_mechanism(self):
        port = self.inst.ports["imap"]
        for mech in a.CURL_MECHANISMS:
            for ir in (False, True):
                with self.subTest(mech=mech, sasl_ir=ir):
                    r = a.curl(f"imap://localhost:{port}/INBOX;MAILINDEX=1", "carol",
                               CAROL_PW, mech, ir)
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertIn("Subject: sasl-mail", r.stdout)
                    self.assertRegex(r.stderr, rf"> \S+ AUTHENTICATE {re.escape(mech)}")
                    # And a listing, a second command kind.
                    r = a.curl(f"imap://localhost:{port}/", "carol", CAROL_PW, mech, ir)
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertIn("INBOX", r.stdout)

    def test_curl_pop3_every_mechanism(self):
        port = self.inst.ports["pop3"]
        for mech in a.CURL_MECHANISMS:
            for ir in (False, True):
                with self.subTest(mech=mech, sasl_ir=ir):
                    r = a.curl(f"pop3://localhost:{port}/1", "carol", CAROL_PW, mech, ir)
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertIn("Subject: sasl-mail", r.stdout)
                    self.assertRegex(r.stderr, rf"> AUTH {re.escape(mech)}")

    def test_curl_wrong_password(self):
        r = a.curl(f"imap://localhost:{self.inst.ports['imap']}/", "dave", "wrong", "CRAM-MD5")
        self.assertNotEqual(r.returncode, 0)
        self.assertTrue(self.inst.log_contains(a.failed_line("dave", "CRAM-MD5")))

    # --- PLAIN through checkpass, and the userdb behind SASL ---------------------------------
    def test_imap_login_and_pop3_user_pass_of_a_sasldb_only_user(self):
        client = self.inst.imap("carol", CAROL_PW)
        try:
            typ, data = client.select("INBOX")
            self.assertEqual(typ, "OK")
            self.assertEqual(data, [b"1"])
        finally:
            client.logout()
        self.assertTrue(a.imap_login_refused(self.inst, "carol", "wrong"))
        pop = self.inst.pop3("carol", CAROL_PW)
        try:
            self.assertEqual(pop.stat()[0], 1)
        finally:
            pop.quit()

    def test_userdb_user_still_logs_in_and_via_sasl_plain(self):
        client = self.inst.imap("alice")
        client.logout()
        conn, client, tagged, _, rc = self.imap_session("PLAIN", "alice", h.PASSWORD, True)
        self.assertTrue(tagged.startswith("A1 OK"), tagged)


class SaslMechanismPolicy(unittest.TestCase):
    def setUp(self):
        skip_without_tools(self)

    def test_mechanism_not_allowed_is_neither_advertised_nor_accepted(self):
        inst = start_instance(mechanisms=["PLAIN", "SCRAM-SHA-256"])
        self.addCleanup(inst.close)
        imap = a.imap_mechanisms(inst.ports["imap"])
        pop3 = a.pop3_mechanisms(inst.ports["pop3"])
        self.assertEqual(imap, {"PLAIN", "SCRAM-SHA-256"})
        self.assertEqual(pop3, {"PLAIN", "SCRAM-SHA-256"})
        for mech in ("CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1", "LOGIN"):
            with self.subTest(mech=mech):
                conn = a.Conn(inst.ports["imap"])
                conn.readline()
                conn.send(f"A1 AUTHENTICATE {mech}")
                line = conn.readline()
                self.assertRegex(line, r"^A1 (NO|BAD)", "a challenge for a refused mechanism")
                conn.close()
                conn = a.Conn(inst.ports["pop3"])
                conn.readline()
                conn.send(f"AUTH {mech}")
                self.assertTrue(conn.readline().startswith("-ERR"))
                conn.close()
        # The allowed ones work.
        conn = a.Conn(inst.ports["imap"])
        self.addCleanup(conn.close)
        conn.readline()
        client = a.Gsasl("SCRAM-SHA-256", "carol", CAROL_PW)
        self.addCleanup(client.kill)
        tagged, _, _, rc = a.imap_authenticate(conn, client, True)
        self.assertTrue(tagged.startswith("A1 OK"), tagged)
        self.assertEqual(rc, 0)


    def test_cleartext_mechanisms_hidden_on_plaintext_non_loopback(self):
        ip = non_loopback_ipv4()
        if not ip:
            self.skipTest("no non-loopback IPv4 address")
        inst = start_instance(extra_config=f"""[listener ext]
protocol = imap
address = {ip}:0
tls = starttls

[listener extpop]
protocol = pop3
address = {ip}:0
tls = starttls
""")
        self.addCleanup(inst.close)
        # Plaintext from a non-loopback address: PLAIN and LOGIN would send the password in the
        # clear, so they are not offered; the others are.
        conn = a.Conn(sock=socket.create_connection((ip, inst.ports["ext"]), 20))
        self.addCleanup(conn.close)
        conn.readline()
        conn.send("C1 CAPABILITY")
        caps = " ".join(conn.until_tagged("C1"))
        self.assertNotIn("AUTH=PLAIN", caps)
        self.assertNotIn("AUTH=LOGIN", caps)
        self.assertIn("AUTH=SCRAM-SHA-256", caps)
        self.assertIn("AUTH=CRAM-MD5", caps)
        conn.send("C2 AUTHENTICATE PLAIN")
        self.assertRegex(conn.readline(), r"^C2 (NO|BAD)")
        # SCRAM works there, and the session runs a command.
        client = a.Gsasl("SCRAM-SHA-256", "carol", CAROL_PW)
        self.addCleanup(client.kill)
        tagged, _, _, rc = a.imap_authenticate(conn, client, True, tag="C3")
        self.assertTrue(tagged.startswith("C3 OK"), tagged)
        self.assertEqual(rc, 0)
        conn.send("C4 SELECT INBOX")
        self.assertIn("* 1 EXISTS", conn.until_tagged("C4"))
        # After STARTTLS on the same listener, PLAIN is offered again.
        c = imaplib.IMAP4(ip, inst.ports["ext"], timeout=20)
        self.addCleanup(c.shutdown)
        ctx = inst.ssl_context()
        ctx.check_hostname = False  # The certificate names localhost, not this address.
        c.starttls(ssl_context=ctx)
        self.assertIn("AUTH=PLAIN", c.capabilities)
        c.login("carol", CAROL_PW)
        self.assertEqual(c.select("INBOX", readonly=True)[1], [b"1"])
        # POP3 likewise.
        pop = a.Conn(sock=socket.create_connection((ip, inst.ports["extpop"]),
                                                                 20))
        self.addCleanup(pop.close)
        pop.readline()
        pop.send("CAPA")
        pop.readline()
        sasl = [l for l in pop.pop3_multiline() if l.upper().startswith("SASL")]
        self.assertTrue(sasl)
        self.assertNotIn("PLAIN", sasl[0].split()[1:])
        self.assertIn("SCRAM-SHA-1", sasl[0].split()[1:])

    def test_authzid_only_for_admins(self):
        inst = start_instance(users=("alice", "bob"), extra_auth="admins = alice\n")
        self.addCleanup(inst.close)
        # alice is an admin: she may act as carol (PLAIN with an authzid, checked through the
        # userdb), and the session is carol's.
        conn = a.Conn(inst.ports["imap"])
        self.addCleanup(conn.close)
        conn.readline()
        client = a.Gsasl("PLAIN", "alice", h.PASSWORD, authzid="carol")
        self.addCleanup(client.kill)
        tagged, _, _, rc = a.imap_authenticate(conn, client, True)
        self.assertTrue(tagged.startswith("A1 OK"), tagged)
        conn.send("A2 SELECT INBOX")
        self.assertIn("* 1 EXISTS", conn.until_tagged("A2"))
        self.assertTrue(inst.log_contains(a.login_line("carol")))
        # bob is not: the same request is refused.
        conn = a.Conn(inst.ports["imap"])
        self.addCleanup(conn.close)
        conn.readline()
        client = a.Gsasl("PLAIN", "bob", h.PASSWORD, authzid="carol")
        self.addCleanup(client.kill)
        tagged, _, _, _ = a.imap_authenticate(conn, client, True)
        self.assertTrue(tagged.startswith("A1 NO"), tagged)
        self.assertTrue(inst.log_contains(a.failed_line("bob", "PLAIN")))


if __name__ == "__main__":
    unittest.main()
