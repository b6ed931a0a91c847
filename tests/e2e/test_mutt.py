"""mutt, the terminal client, against satcheld over STARTTLS, driven through tmux."""

import os
import shutil
import subprocess
import tempfile
import time
import unittest

import satchel_harness as h


def screen(session):
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True,
                          text=True).stdout


@unittest.skipUnless(shutil.which("tmux") and shutil.which("mutt"), "needs tmux and mutt")
class Mutt(unittest.TestCase):
    def wait_screen(self, session, text, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            shown = screen(session)
            if text in shown:
                return shown
            time.sleep(0.3)
        self.fail("%r never appeared; screen:\n%s" % (text, screen(session)))

    def test_mutt_lists_and_reads_a_message_and_marks_it_seen(self):
        with h.Instance(users=("alice",), workers=1, tls=True) as srv:
            m = srv.imap("alice")
            m.append("INBOX", None, None,
                     b"From: bob@example.com\r\nSubject: mutt sees this\r\n\r\nhello mutt\r\n")
            m.logout()
            home = tempfile.mkdtemp(prefix="mutt-home-")
            rc = os.path.join(home, "muttrc")
            with open(rc, "w") as f:
                f.write(f"""set folder="imap://alice@localhost:{srv.ports['imap']}/"
set imap_pass="{h.PASSWORD}"
set ssl_starttls=yes
set ssl_force_tls=yes
set certificate_file="{home}/certs"
set ssl_ca_certificates_file="{srv.ca}"
set spoolfile="+INBOX"
set mail_check=0
set header_cache=""
set message_cachedir=""
""")
            session = "satchel-mutt-%d" % os.getpid()
            subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "30",
                            "env", "HOME=" + home, "mutt", "-n", "-F", rc], check=True)
            try:
                self.wait_screen(session, "mutt sees this")
                subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
                self.wait_screen(session, "hello mutt")
                # Quit the pager, then mutt (which syncs the \Seen flag back).
                subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
                time.sleep(0.5)
                subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
                deadline = time.time() + 15
                while time.time() < deadline and subprocess.run(
                        ["tmux", "has-session", "-t", session], capture_output=True).returncode == 0:
                    time.sleep(0.3)
            finally:
                subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
            m = srv.imap("alice")
            m.select("INBOX", readonly=True)
            typ, data = m.search(None, "SEEN")
            self.assertEqual(data[0].split(), [b"1"])
            m.logout()


if __name__ == "__main__":
    unittest.main(verbosity=2)
