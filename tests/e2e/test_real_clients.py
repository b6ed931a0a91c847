"""Real clients from Debian against satcheld: mbsync syncing a multi-folder account, and curl."""

import glob
import hashlib
import os
import re
import subprocess
import tempfile
import unittest

import satchel_harness as h

SOURCE = h.SOURCE


def digest(body):
    body = body.replace(b"\r\n", b"\n")
    # mbsync marks the local copies it writes with an X-TUID header line (its own tracking id).
    body = re.sub(rb"(?m)^X-TUID: [^\n]*\n", b"", body, count=1)
    return hashlib.sha256(body).hexdigest()


def sample_messages():
    out = []
    for path in sorted(glob.glob(os.path.join(SOURCE, "tools", "dev_messages", "*.eml"))):
        with open(path, "rb") as f:
            out.append(f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    big = b"From: big@example.com\r\nSubject: big\r\n\r\n" + b"".join(
        b"line %06d of a longer message ........................................\r\n" % i
        for i in range(20000))
    out.append(big)
    return out


class RealClients(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = h.Instance(users=("alice",), workers=2, tls=True)
        cls.folders = {"INBOX": [], "Work": [], "Work/Reports": [], "Sent": []}
        m = cls.srv.imap("alice")
        msgs = sample_messages()
        for name in cls.folders:
            if name != "INBOX":
                m.create(name)
        for i, body in enumerate(msgs):
            folder = list(cls.folders)[i % len(cls.folders)]
            flags = r"(\Seen)" if i % 2 else None
            m.append(folder, flags, None, body)
            cls.folders[folder].append(body)
        m.logout()

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def test_mbsync_pulls_every_folder_byte_for_byte(self):
        local = tempfile.mkdtemp(prefix="mbsync-local-")
        os.makedirs(os.path.join(local, "mail"))
        rc = os.path.join(local, "mbsyncrc")
        with open(rc, "w") as f:
            f.write(f"""IMAPAccount satchel
Host localhost
Port {self.srv.ports["imap"]}
User alice
Pass {h.PASSWORD}
SSLType STARTTLS
CertificateFile {self.srv.ca}

IMAPStore remote
Account satchel

MaildirStore local
Path {local}/mail/
Inbox {local}/mail/INBOX
SubFolders Verbatim

Channel sync
Far :remote:
Near :local:
Patterns *
Create Near
Sync All
SyncState *
""")
        run = subprocess.run(["mbsync", "-c", rc, "-a"], capture_output=True, text=True,
                             timeout=120)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        for folder, bodies in self.folders.items():
            path = os.path.join(local, "mail", folder)
            files = glob.glob(os.path.join(path, "cur", "*")) + glob.glob(
                os.path.join(path, "new", "*"))
            # mbsync stores local Maildir files with LF line ends; compare in that form, by
            # digest (difflib on megabyte bodies would take minutes to explain a mismatch).
            got = []
            for name in files:
                with open(name, "rb") as f:
                    got.append(digest(f.read()))
            self.assertEqual(sorted(got), sorted(digest(b) for b in bodies), folder)

        # A flag set locally travels back to the server.
        inbox = os.path.join(local, "mail", "INBOX")
        unseen = [f for f in glob.glob(os.path.join(inbox, "new", "*")) +
                  glob.glob(os.path.join(inbox, "cur", "*")) if "S" not in f.rsplit(":2,", 1)[-1]
                  or ":2," not in f]
        self.assertTrue(unseen)
        base, _, flags = os.path.basename(unseen[0]).partition(":2,")
        os.rename(unseen[0], os.path.join(inbox, "cur", base + ":2," + "".join(sorted(flags + "F"))))
        run = subprocess.run(["mbsync", "-c", rc, "-a"], capture_output=True, text=True,
                             timeout=120)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        m = self.srv.imap("alice")
        m.select("INBOX", readonly=True)
        typ, data = m.search(None, "FLAGGED")
        self.assertEqual(len(data[0].split()), 1)
        m.logout()

    def test_curl_fetches_a_message_over_imaps(self):
        url = "imaps://localhost:%d/Work;UID=1" % self.srv.ports["imaps"]
        run = subprocess.run(["curl", "-s", "--cacert", self.srv.ca, "-u",
                              "alice:" + h.PASSWORD, url], capture_output=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(digest(run.stdout), digest(self.folders["Work"][0]))
        self.assertEqual(run.stdout, self.folders["Work"][0])

    def test_curl_lists_mailboxes_with_starttls(self):
        url = "imap://localhost:%d/" % self.srv.ports["imap"]
        run = subprocess.run(["curl", "-s", "--ssl-reqd", "--cacert", self.srv.ca, "-u",
                              "alice:" + h.PASSWORD, url], capture_output=True, timeout=60,
                             text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("Work/Reports", run.stdout)
        self.assertIn("INBOX", run.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
