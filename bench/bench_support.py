"""What every benchmark here needs: satcheld and satchel-admin from an optimized build dir,
and the end-to-end harness (tests/e2e/satchel_harness.py) pointed at them."""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
DEFAULT_BUILD = os.path.join(SOURCE, "build", "release")


def load_harness(build):
    """Checks the binaries of `build`, exports them for the harness and returns the harness
    module. Exits with a hint when they are not built."""
    satcheld = os.path.join(build, "server", "satcheld")
    admin = os.path.join(build, "cli", "satchel-admin")
    for path in (satcheld, admin):
        if not os.access(path, os.X_OK):
            sys.exit(f"{path}: not built; see bench/README.md")
    os.environ.setdefault("SATCHELD", satcheld)
    os.environ.setdefault("SATCHEL_ADMIN", admin)
    os.environ.setdefault("SATCHEL_SOURCE", SOURCE)
    sys.path.insert(0, os.path.join(SOURCE, "tests", "e2e"))
    import satchel_harness  # noqa: E402 (needs the environment above)
    return satchel_harness


def build_type(build):
    """The CMAKE_BUILD_TYPE line of a build dir, or ''."""
    return subprocess.run(["grep", "-E", "^CMAKE_BUILD_TYPE:", os.path.join(
        build, "CMakeCache.txt")], capture_output=True, text=True).stdout.strip()
