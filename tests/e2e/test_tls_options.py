"""TLS settings beyond the defaults, end to end (issue 4: "All configurable"): min_version,
optional client certificates (client_ca_file), and session resumption across the workers of
one generation (the ticket keys are made in the master before the workers fork)."""

import os
import re
import shutil
import socket
import ssl
import tempfile
import unittest

import satchel_harness as h
import tls_support as t


class TlsOptions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.certs_dir = tempfile.mkdtemp(prefix="satchel-tlsopt-")
        os.chmod(cls.certs_dir, 0o755)
        # Client certificates: one from the CA the server trusts, one from a stranger CA.
        cls.client = t.gen_certs(os.path.join(cls.certs_dir, "trusted"), "alice.client")[
            "alice.client"]
        cls.stranger = t.gen_certs(os.path.join(cls.certs_dir, "stranger"), "eve.client")[
            "eve.client"]
        client_ca = os.path.join(cls.certs_dir, "trusted", "ca.pem")
        extra = f"[tls]\nmin_version = TLSv1.3\nclient_ca_file = {client_ca}\n"
        cls.srv = h.Instance(users=("alice",), workers=2, extra_config=extra)

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()
        shutil.rmtree(cls.certs_dir, ignore_errors=True)

    def greet(self, ctx):
        s = t.tls_connect(self.srv.ports["imaps"], ctx)
        try:
            c = t.LineReader(s)
            line = c.readline()
            # TLS 1.3: a refused client certificate shows up only at the first read.
            self.assertTrue(line.startswith("* OK"), line)
            c.send("a NOOP\r\n")
            self.assertTrue(c.until_tagged("a")[-1].startswith("a OK"))
            return s.version()
        finally:
            s.close()

    def test_min_version_tls13_refuses_tls12(self):
        ctx = t.client_context(self.srv.ca, maximum=ssl.TLSVersion.TLSv1_2)
        with self.assertRaises(ssl.SSLError) as cm:
            t.tls_connect(self.srv.ports["imaps"], ctx)
        self.assertRegex(str(cm.exception), r"(?i)protocol.version|unsupported protocol")
        self.assertEqual(self.greet(t.client_context(self.srv.ca)), "TLSv1.3")

    def test_client_certificate_is_optional(self):
        self.assertEqual(self.greet(t.client_context(self.srv.ca)), "TLSv1.3")

    def test_trusted_client_certificate_accepted(self):
        ctx = t.client_context(self.srv.ca)
        ctx.load_cert_chain(*self.client)
        self.assertEqual(self.greet(ctx), "TLSv1.3")

    def test_untrusted_client_certificate_refused(self):
        ctx = t.client_context(self.srv.ca)
        ctx.load_cert_chain(*self.stranger)
        with self.assertRaises((ssl.SSLError, ConnectionError, AssertionError)):
            self.greet(ctx)
        self.assertTrue(self.srv.log_contains(
            r"tls failed: rip=127\.0\.0\.1 reason=.*(certificate|unknown ca)"),
            "\n".join(self.srv.log_lines[-10:]))

    def test_resumption_across_workers(self):
        ctx = t.client_context(self.srv.ca)
        session, reused, workers = None, [], set()
        for _ in range(40):
            raw = socket.create_connection(("127.0.0.1", self.srv.ports["imaps"]), 10)
            rport = raw.getsockname()[1]
            s = ctx.wrap_socket(raw, server_hostname="localhost", session=session)
            self.assertTrue(t.LineReader(s).readline().startswith("* OK"))
            if session is not None:
                reused.append(s.session_reused)
            session = s.session
            s.close()
            workers.add(self.worker_of(rport))
            if len(workers) >= 2 and len(reused) >= 4:
                break
        self.assertTrue(all(reused), reused)
        if len(workers) < 2:
            self.skipTest("the kernel sent every connection to one worker")

    def worker_of(self, rport):
        pattern = re.compile(r"satcheld\[(\d+)\] satchel-login \d+: connect: .* rport=%d$" % rport)
        for _ in range(100):
            for line in list(self.srv.log_lines):
                m = pattern.search(line)
                if m:
                    return m.group(1)
            self.srv.log_contains("rport=%d$" % rport, timeout=0.1)
        self.fail(f"no connect line for port {rport}")


if __name__ == "__main__":
    unittest.main()
