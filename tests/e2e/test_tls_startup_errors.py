"""satcheld refuses to start on a bad TLS certificate, naming the file and the reason (issue 4):
a missing or unreadable PEM, a key that does not match its certificate, a key others may read;
it warns on a certificate about to expire; and `satcheld --check-config` reports a TLS listener
without a certificate as `file:line: reason`."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

import satchel_harness as h
import tls_support as t

START_TIMEOUT_S = 20


class TlsStartupErrors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.base = tempfile.mkdtemp(prefix="satchel-tls-start-")
        os.chmod(cls.base, 0o755)
        cls.certs = t.gen_certs(os.path.join(cls.base, "certs"), "localhost", "other.example")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.base, ignore_errors=True)

    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=self.base)
        os.chmod(self.dir, 0o755)
        os.makedirs(os.path.join(self.dir, "mail"))
        os.chmod(os.path.join(self.dir, "mail"), 0o777)

    def copy_pair(self, name, key_from=None, key_mode=0o600):
        """Copies the certificate `name` (and the key of `key_from`, default its own) into this
        test's directory; returns (cert, key) paths."""
        pem, key = self.certs[name]
        dst_pem = os.path.join(self.dir, "cert.pem")
        dst_key = os.path.join(self.dir, "cert.key")
        shutil.copy(pem, dst_pem)
        shutil.copy(self.certs[key_from or name][1], dst_key)
        os.chmod(dst_key, key_mode)
        return dst_pem, dst_key

    def write_config(self, tls_section):
        """A minimal configuration: one implicit-TLS IMAP listener on a kernel-chosen port.
        Returns (path, line number of its `tls = implicit` line)."""
        user = "user = nobody\ngroup = nogroup\n" if os.geteuid() == 0 else ""
        text = (f"[server]\n{user}workers = 1\nlog = stderr\n\n"
                f"[storage]\nmail_root = {self.dir}/mail\nmail_location = maildir:%h/Maildir\n\n"
                f"[auth]\nuserdb = {self.dir}/users.db\n\n"
                f"{tls_section}\n"
                "[listener imaps]\nprotocol = imap\naddress = 127.0.0.1:0\ntls = implicit\n")
        path = os.path.join(self.dir, "satchel.conf")
        with open(path, "w") as f:
            f.write(text)
        line = text.splitlines().index("tls = implicit") + 1
        return path, line

    def start_expecting_refusal(self, conf):
        proc = subprocess.Popen([h.SATCHELD, "-f", "-c", conf], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace")
        try:
            out, _ = proc.communicate(timeout=START_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
            self.fail("satcheld started despite the bad certificate:\n" + out)
        self.assertNotEqual(proc.returncode, 0, out)
        self.assertNotIn("satcheld started", out)
        return out

    def tls_section(self, cert, key):
        return f"[tls]\ncert = {cert}\nkey = {key}\n"

    # --- refusals -----------------------------------------------------------------------------
    def test_missing_certificate_file(self):
        _, key = self.copy_pair("localhost")
        missing = os.path.join(self.dir, "nowhere.pem")
        conf, _ = self.write_config(self.tls_section(missing, key))
        out = self.start_expecting_refusal(conf)
        self.assertRegex(out, re.escape(missing) + r".*(?i:no such file|not found|missing|open)")

    def test_missing_key_file(self):
        cert, _ = self.copy_pair("localhost")
        missing = os.path.join(self.dir, "nowhere.key")
        conf, _ = self.write_config(self.tls_section(cert, missing))
        out = self.start_expecting_refusal(conf)
        self.assertRegex(out, re.escape(missing) + r".*(?i:no such file|not found|missing|open)")

    def test_certificate_path_is_a_directory(self):
        # Root reads every file, so "unreadable" is shown with a path that cannot be read.
        _, key = self.copy_pair("localhost")
        conf, _ = self.write_config(self.tls_section(self.dir, key))
        out = self.start_expecting_refusal(conf)
        self.assertRegex(out, re.escape(self.dir) + r": .*(?i:not a regular file|cannot read)")

    def test_file_without_a_certificate(self):
        _, key = self.copy_pair("localhost")
        empty = os.path.join(self.dir, "empty.pem")
        with open(empty, "w") as f:
            f.write("not a PEM file\n")
        conf, _ = self.write_config(self.tls_section(empty, key))
        out = self.start_expecting_refusal(conf)
        self.assertRegex(out, re.escape(empty) + r".*(?i:certificate|PEM)")

    def test_key_not_matching_certificate(self):
        cert, key = self.copy_pair("localhost", key_from="other.example")
        conf, _ = self.write_config(self.tls_section(cert, key))
        out = self.start_expecting_refusal(conf)
        self.assertRegex(out, r"(?i)(" + re.escape(key) + "|" + re.escape(cert) +
                         r").*(does not match|mismatch|match)")

    def test_key_readable_by_others(self):
        cert, key = self.copy_pair("localhost", key_mode=0o644)
        conf, _ = self.write_config(self.tls_section(cert, key))
        out = self.start_expecting_refusal(conf)
        self.assertRegex(out, re.escape(key) + r".*(?i:permission|mode|readable|0?644|others)")

    # --- accepted, with a warning -------------------------------------------------------------
    def test_key_mode_0600_starts(self):
        # The control case for the refusals above: the same files, correct, do start.
        cert, key = self.copy_pair("localhost")
        srv = h.Instance(users=("alice",), workers=1,
                         extra_config=f"[certificate ok]\ncert = {cert}\nkey = {key}\n")
        try:
            self.assertIn("imaps", srv.ports)
        finally:
            srv.close()

    def test_certificate_expiring_soon_warns(self):
        pairs = t.gen_certs(os.path.join(self.dir, "soon"), "soon.example", days=5)
        cert, key = pairs["soon.example"]
        srv = h.Instance(users=("alice",), workers=1,
                         extra_config=f"[certificate soon]\ncert = {cert}\nkey = {key}\n")
        try:
            self.assertTrue(srv.log_contains(re.escape(cert) + r".*(?i:expir)"),
                            "\n".join(srv.log_lines))
        finally:
            srv.close()

    # --- --check-config -----------------------------------------------------------------------
    def check_config(self, conf):
        return subprocess.run([h.SATCHELD, "--check-config", "-c", conf], capture_output=True,
                              text=True, timeout=30)

    def test_check_config_tls_listener_without_certificate(self):
        conf, line = self.write_config("")
        r = self.check_config(conf)
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stderr, rf"(?m)^{re.escape(conf)}:{line}: .*imaps.*(?i:certificate)")

    def test_check_config_key_without_cert(self):
        _, key = self.copy_pair("localhost")
        conf, _ = self.write_config(f"[tls]\nkey = {key}\n")
        with open(conf) as f:
            key_line = f.read().splitlines().index(f"key = {key}") + 1
        r = self.check_config(conf)
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stderr, rf"(?m)^{re.escape(conf)}:{key_line}: .*(?i:cert)")

    def test_check_config_accepts_a_good_tls_config(self):
        cert, key = self.copy_pair("localhost")
        conf, _ = self.write_config(self.tls_section(cert, key))
        r = self.check_config(conf)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("configuration is valid", r.stdout)


if __name__ == "__main__":
    unittest.main()
