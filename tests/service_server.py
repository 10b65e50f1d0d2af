"""A real Auskunft service for tests: the API on 127.0.0.1 with uvicorn, in this process
(a thread) or as its own process (``auskunft serve``), on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn

from ingest.application import Application
from search.core.settings import Settings
from ui.api.app import create_app

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """:returns: a port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(
    url: str, timeout: float = 60.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Wait until ``url`` answers ``/api/v1/health``.

    :raises RuntimeError: when it does not within ``timeout`` or the process ended.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            msg = f"the service ended with {process.returncode}"
            raise RuntimeError(msg)
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    msg = f"{url} did not become healthy in {timeout} s"
    raise RuntimeError(msg)


@dataclass
class RunningService:
    """A service under test."""

    url: str
    application: Application


@contextmanager
def service_in_thread(
    settings: Settings, application: Application | None = None
) -> Iterator[RunningService]:
    """Serve an open :class:`Application` over HTTP from a thread of this process.

    :param settings: the settings.
    :param application: an open application (default: one opened here, with no pool of
        worker processes, closed afterwards).
    """
    own = application is None
    app_open = application or Application(settings, ingest_workers=0).open()
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, app_open), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="test-service", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url)
        yield RunningService(url=url, application=app_open)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        if own:
            app_open.close()


def serve_process(
    data_dir: Path, port: int, env: Mapping[str, str] | None = None, *args: str
) -> subprocess.Popen[bytes]:
    """Start ``auskunft serve`` as its own process (not waited for; see :func:`wait_healthy`).

    :param data_dir: its data directory.
    :param port: its port.
    :param env: more environment variables.
    :param args: more arguments of ``serve``.
    """
    environ = {**os.environ, "AUSKUNFT_DATA_DIR": str(data_dir), **(env or {})}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ui.cli",
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
            *args,
        ],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@contextmanager
def service_process(
    data_dir: Path, env: Mapping[str, str] | None = None, *args: str
) -> Iterator[str]:
    """``auskunft serve`` as its own process on a free port, healthy, stopped afterwards.

    :yields: its address.
    """
    port = free_port()
    process = serve_process(data_dir, port, env, *args)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, timeout=120, process=process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
