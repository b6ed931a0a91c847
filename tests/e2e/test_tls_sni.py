"""Certificates chosen by SNI end to end (issue 4): two exact names in [certificate NAME]
sections, a wildcard and a CN-only certificate found in certificate_dir, and the default
certificate for clients that send no name or an unknown one."""

import os
import re
import shutil
import socket
import ssl
import tempfile
import unittest

import satchel_harness as h
import tls_support as t


class TlsSni(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.certs_dir = tempfile.mkdtemp(prefix="satchel-sni-")
        os.chmod(cls.certs_dir, 0o755)
        pairs = t.gen_certs(cls.certs_dir, "imap.example.com", "mail.example.com")
        # The directory holds only what the server must index; its CA stays outside.
        cls.cert_dir = os.path.join(cls.certs_dir, "dir")
        t.gen_certs(cls.certs_dir, "*.example.org", "cn:legacy.example.net")
        os.makedirs(cls.cert_dir)
        for base in ("_.example.org", "legacy.example.net"):
            for ext in (".pem", ".key"):
                shutil.move(os.path.join(cls.certs_dir, base + ext), cls.cert_dir)
        cls.test_ca = os.path.join(cls.certs_dir, "ca.pem")
        # Certificates signed by an intermediate CA: the server must send the intermediate.
        chain_pem, chain_key = t.make_chain(os.path.join(cls.certs_dir, "chain"),
                                            "chain.example.com")
        combined_pem, _ = t.make_chain(os.path.join(cls.certs_dir, "combined"),
                                       "combined.example.com", combined=True)
        cls.chain_roots = [os.path.join(cls.certs_dir, d, "root.pem")
                           for d in ("chain", "combined")]
        imap_pem, imap_key = pairs["imap.example.com"]
        mail_pem, mail_key = pairs["mail.example.com"]
        extra = f"""[tls]
certificate_dir = {cls.cert_dir}

[certificate imap-example-com]
cert = {imap_pem}
key = {imap_key}

[certificate mail-example-com]
cert = {mail_pem}
key = {mail_key}

[certificate chain]
cert = {chain_pem}
key = {chain_key}

[certificate combined]
cert = {combined_pem}
"""
        cls.srv = h.Instance(users=("alice",), workers=1, extra_config=extra)
        # Trusts both the harness CA (default certificate) and the test CA (the others).
        cls.ctx = t.client_context(cls.srv.ca, cls.test_ca)

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()
        shutil.rmtree(cls.certs_dir, ignore_errors=True)

    def names_for(self, server_hostname, check_hostname=True):
        ctx = self.ctx
        if not check_hostname:
            ctx = t.client_context(self.srv.ca, self.test_ca)
            ctx.check_hostname = False  # Still verified against the CAs, name not checked.
        s = t.tls_connect(self.srv.ports["imaps"], ctx, server_hostname=server_hostname)
        try:
            greeting = t.LineReader(s).readline()
            self.assertTrue(greeting.startswith("* OK"), greeting)
            cert = s.getpeercert()
            cn = dict(x[0] for x in cert["subject"]).get("commonName")
            return t.peer_names(s), cn
        finally:
            s.close()

    def test_exact_names_get_their_own_certificate(self):
        self.assertEqual(self.names_for("imap.example.com"), (["imap.example.com"],
                                                               "imap.example.com"))
        self.assertEqual(self.names_for("mail.example.com"), (["mail.example.com"],
                                                               "mail.example.com"))
        self.assertTrue(self.srv.log_contains(r"tls: rip=127\.0\.0\.1 TLSv1\.[23] \S+ "
                                              r"sni=mail\.example\.com"))

    def test_intermediate_sent_and_key_in_the_same_file(self):
        # The clients trust only the roots: verification needs the intermediate from the server.
        ctx = t.client_context(*self.chain_roots)
        for host in ("chain.example.com", "combined.example.com"):
            with self.subTest(host=host):
                s = t.tls_connect(self.srv.ports["imaps"], ctx, server_hostname=host)
                self.assertEqual(t.peer_names(s), [host])
                self.assertTrue(t.LineReader(s).readline().startswith("* OK"))
                s.close()

    def test_wildcard_from_certificate_dir(self):
        self.assertEqual(self.names_for("foo.example.org"), (["*.example.org"], "*.example.org"))
        self.assertEqual(self.names_for("imap.example.org"), (["*.example.org"],
                                                              "*.example.org"))

    def test_wildcard_covers_one_label_only(self):
        # RFC 6125 §6.4.3: "*" stands for exactly one label; neither the bare domain nor a
        # deeper name is covered, so they get the default certificate.
        for host in ("example.org", "a.b.example.org"):
            with self.subTest(host=host):
                self.assertEqual(self.names_for(host, check_hostname=False),
                                 (["localhost"], "localhost"))

    def test_cn_only_certificate_from_certificate_dir(self):
        self.assertEqual(self.names_for("legacy.example.net", check_hostname=False),
                         ([], "legacy.example.net"))

    def test_no_sni_gets_default(self):
        # An IP literal sends no SNI (RFC 6066 §3); the default certificate covers 127.0.0.1.
        self.assertEqual(self.names_for(None, check_hostname=False), (["localhost"],
                                                                      "localhost"))
        self.assertEqual(self.names_for("127.0.0.1"), (["localhost"], "localhost"))

    def test_unknown_name_gets_default(self):
        self.assertEqual(self.names_for("other.example.com", check_hostname=False),
                         (["localhost"], "localhost"))

    def test_sni_is_case_insensitive(self):
        rc, out = t.s_client(["-connect", f"127.0.0.1:{self.srv.ports['imaps']}",
                              "-servername", "IMAP.Example.COM", "-CAfile", self.test_ca,
                              "-verify_return_error"], stdin="")
        self.assertEqual(t.verify_code(out), 0, out)
        self.assertRegex(out, r"subject=CN ?= ?imap\.example\.com")

    def test_sni_after_starttls(self):
        c = t.LineReader(socket.create_connection(("127.0.0.1", self.srv.ports["imap"]), 10))
        c.readline()
        c.send("a STARTTLS\r\n")
        self.assertTrue(c.until_tagged("a")[-1].startswith("a OK"))
        c.sock = self.ctx.wrap_socket(c.sock, server_hostname="mail.example.com")
        self.assertEqual(t.peer_names(c.sock), ["mail.example.com"])
        c.send("b NOOP\r\n")
        self.assertTrue(c.until_tagged("b")[-1].startswith("b OK"))
        c.close()


if __name__ == "__main__":
    unittest.main()
