"""The xblock-sdk workbench in a subprocess, on a free loopback port, in its own working directory."""
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"


def free_port(host=HOST):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class WorkbenchURL(str):
    """The server's base URL (``http://127.0.0.1:PORT``, no trailing slash), a plain str.

    Also carries the server, for its log and state folder: ``url.server.log_text()``.
    """

    server = None

    def __new__(cls, value, server):
        url = super().__new__(cls, value)
        url.server = server
        return url

    def scenario(self, scenario_id, view=None, student=None):
        """URL of a workbench scenario page, e.g. scenario("cultural_safety_scenario.0")."""
        path = f"/scenario/{scenario_id}/" + (f"{view}/" if view else "")
        return self + path + (f"?student={student}" if student else "")


class WorkbenchStartError(RuntimeError):
    pass


class WorkbenchServer:
    """``with WorkbenchServer(tmp_dir) as url: ...`` serves the workbench until the block ends.

    The server runs ``python -m cultural_safety_xblock.workbench`` with ``workdir`` as its
    working directory, so its state (var/workbench.db, var/workbench.log) is fresh and separate.
    Its stdout and stderr go to ``workdir/server.log``. ``course``: an OLX course folder to
    serve instead of the project's own.
    """

    def __init__(self, workdir, *, samples=False, host=HOST, python=sys.executable, env=None,
                 course=None):
        self.workdir = Path(workdir)
        self.samples = samples
        self.host = host
        self.python = python
        self.extra_env = dict(env or {})
        if course is not None:
            self.extra_env["CULTURAL_SAFETY_COURSE"] = str(course)
        self.process = None
        self.port = None
        self.url = None

    @property
    def log_path(self):
        return self.workdir / "server.log"

    @property
    def var_dir(self):
        return self.workdir / "var"

    def log_text(self):
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def start(self, timeout=120, attempts=3):
        self.workdir.mkdir(parents=True, exist_ok=True)
        for attempt in range(attempts):
            self.port = free_port(self.host)
            self._spawn()
            try:
                self._wait_until_up(timeout)
                return self.url
            except WorkbenchStartError:
                self.stop()
                in_use = "already in use" in self.log_text()
                if not in_use or attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def _spawn(self):
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "CULTURAL_SAFETY_WORKBENCH_SAMPLES": "1" if self.samples else "0",
            **self.extra_env,
        }
        env.pop("CULTURAL_SAFETY_VAR_DIR", None)  # state goes to workdir/var
        env.pop("DJANGO_SETTINGS_MODULE", None)
        command = [self.python, "-m", "cultural_safety_xblock.workbench",
                   "--host", self.host, "--port", str(self.port)]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, cwd=self.workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self.url = WorkbenchURL(f"http://{self.host}:{self.port}", self)

    def _wait_until_up(self, timeout):
        deadline = time.monotonic() + timeout
        last_error = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise WorkbenchStartError(
                    f"workbench exited with {self.process.returncode}:\n{self.log_text()[-4000:]}"
                )
            try:
                # The index page loads every scenario: once it answers, the server is warm.
                with urllib.request.urlopen(self.url + "/", timeout=30) as response:
                    if response.status == 200:
                        return
            except urllib.error.HTTPError as error:  # up, but the index fails: say why
                raise WorkbenchStartError(
                    f"workbench index answered {error.code}:\n{self.log_text()[-4000:]}"
                ) from error
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                last_error = error
            time.sleep(0.2)
        raise WorkbenchStartError(
            f"workbench did not answer within {timeout}s ({last_error}):\n{self.log_text()[-4000:]}"
        )

    def stop(self):
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
