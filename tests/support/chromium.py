"""Debian's chromium, driven by Playwright (never a browser download of Playwright's own)."""
import os
import shutil
import subprocess
from pathlib import Path

CHROMIUM_PATH = "/usr/bin/chromium"
# Flags that let chromium run as root in this sandbox and keep it off the (closed) network.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


class ChromiumMissing(RuntimeError):
    pass


def ensure_chromium():
    """Return the chromium path, installing Debian's package first if it is missing (as root)."""
    if Path(CHROMIUM_PATH).exists():
        return CHROMIUM_PATH
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise ChromiumMissing(
            f"{CHROMIUM_PATH} is missing: install Debian's chromium (apt-get install -y chromium)"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ChromiumMissing(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return CHROMIUM_PATH


def launch(playwright, **options):
    """Launch headless Debian chromium through a started Playwright (sync API)."""
    return playwright.chromium.launch(
        executable_path=ensure_chromium(),
        headless=True,
        args=list(CHROMIUM_ARGS),
        **options,
    )
