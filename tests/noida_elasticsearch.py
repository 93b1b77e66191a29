"""noida-db's Elasticsearch emulator on loopback, for the tests: a real HTTP server that speaks
Elasticsearch's REST API, from the PyPI package `noida-db` (a binary in the wheel).

It is an emulator, not Elasticsearch: it reports version 8.15.3, accepts the 9.x client's
`compatible-with=9` headers, and differs from Elasticsearch where docs/search.md says so. The
tests run our engine against it as well as against tests/fake_elasticsearch.py.

`open()` starts it (`noida-db start --only elasticsearch`) on a free port of 127.0.0.1 in a data
folder of its own, and waits until it answers; `close()` ends that process. `stop()` and
`start()` stop and start the Elasticsearch service inside the running process (the port and the
data stay), which to our client is an outage: connections are refused.
"""

from __future__ import annotations

import http.client
import os
import re
import stat
import subprocess
import time
from importlib.resources import files
from pathlib import Path

START_TIMEOUT = 30.0
_URL_LINE = re.compile(r"elasticsearch\s+(http://127\.0\.0\.1:\d+)")


def binary() -> Path:
    """The noida-db executable inside the installed package. Its own `noida-db` script runs it
    as a child process, which a test could not stop by stopping the script; so we run it
    ourselves (making it executable as that script does, in case the install dropped the bit)."""
    path = Path(str(files("noida_db").joinpath("noida-db")))
    if not os.access(path, os.X_OK):
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


class NoidaElasticsearch:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.url = ""
        self._process: subprocess.Popen | None = None

    def open(self) -> NoidaElasticsearch:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        output = self.data_dir / "stdout.log"
        with output.open("wb") as out:
            self._process = subprocess.Popen(
                [
                    str(binary()),
                    "start",
                    "--only",
                    "elasticsearch",
                    "--host",
                    "127.0.0.1",
                    "--elasticsearch-port",
                    "0",  # a free port, printed on start-up
                    "--data-dir",
                    str(self.data_dir),
                ],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not self.url:
            match = _URL_LINE.search(output.read_text(errors="replace"))
            if match:
                self.url = match.group(1)
                break
            self._check_alive(output)
            if time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"noida-db printed no address in {START_TIMEOUT:.0f} s")
            time.sleep(0.02)
        self._wait(up=True)
        return self

    def close(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        self._process = None

    def stop(self) -> None:
        """Stop the Elasticsearch service (an outage: connections are refused)."""
        self._control("stop")
        self._wait(up=False)

    def start(self) -> None:
        """Start it again, on the same port, with the data it had."""
        self._control("start")
        self._wait(up=True)

    def __enter__(self) -> NoidaElasticsearch:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _control(self, command: str) -> None:
        subprocess.run(
            [str(binary()), command, "elasticsearch", "--data-dir", str(self.data_dir)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=True,
            timeout=START_TIMEOUT,
        )

    def _check_alive(self, output: Path) -> None:
        if self._process is not None and self._process.poll() is not None:
            raise RuntimeError(f"noida-db exited: {output.read_text(errors='replace')[-2000:]}")

    def _answers(self) -> bool:
        host, port = self.url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=1)
        try:
            connection.request("GET", "/")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def _wait(self, *, up: bool) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while self._answers() != up:
            if time.monotonic() > deadline:
                raise RuntimeError(f"noida-db did not {'start' if up else 'stop'} in time")
            time.sleep(0.02)
