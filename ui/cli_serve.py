"""``auskunft serve``: the one process that owns the index, with its API and interface.

Registered in :mod:`ui.cli`.
"""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import click

from search.core.settings import Settings, SourceEntry
from ui.cli_common import errors, settings_of

APP_PATH = Path(__file__).with_name("app.py")


def streamlit_command(host: str, port: int, *, headless: bool = True) -> list[str]:
    """:returns: the command that starts the web interface."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_PATH),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true" if headless else "false",
        "--server.showEmailPrompt",  # never wait at a terminal prompt
        "false",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--server.fileWatcherType",  # the code does not change under a running service
        "none",
        "--client.toolbarMode",  # no "Deploy" button, no developer menu
        "minimal",
    ]


def read_seed(path: Path) -> list[SourceEntry]:
    """:returns: the ``[[sources]]`` of a TOML file, folder locations relative to it.

    :raises click.ClickException: when the file cannot be read or an entry is invalid.
    """
    from pydantic import ValidationError

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        entries = [SourceEntry(**entry) for entry in data.get("sources", [])]
    except (OSError, tomllib.TOMLDecodeError, ValidationError, TypeError) as exc:
        msg = f"Cannot read the sources in {path}: {exc}"
        raise click.ClickException(msg) from exc
    for entry in entries:
        if entry.kind == "folder" and not Path(entry.location).is_absolute():
            entry.location = str((path.parent / entry.location).resolve())
    return entries


@click.command()
@click.option("--host", help="Address to listen on (default: service.host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default: service.port, 8700).")
@click.option("--ui/--no-ui", "with_ui", default=False, help="Also start the web interface.")
@click.option("--ui-port", default=8501, show_default=True, help="Port of the web interface.")
@click.option(
    "--seed",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML file with [[sources]] registered and synced on the first start only.",
)
@click.option("--log-level", default="info", show_default=True, help="uvicorn log level.")
@click.pass_context
def serve(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    with_ui: bool,
    ui_port: int,
    seed: Path | None,
    log_level: str,
) -> None:
    """Run the service that owns the index: REST API, MCP, scheduled syncs.

    Searches run while documents are ingested; parsing, OCR and embedding run in worker
    processes at a lower priority (service.ingest_workers). API documentation at
    http://HOST:PORT/api/docs. With --ui the Streamlit interface starts too, as a client
    of this service. Stop with Ctrl-C.
    """
    import uvicorn

    from ingest.application import Application, Caller
    from ingest.sync.sources import SourceConfig
    from ui.api.app import create_app, remove_service_file, write_service_file
    from ui.client import running_service_url

    settings = settings_of(ctx)
    host = host or settings.service.host
    port = port or settings.service.port
    url = f"http://{host}:{port}"
    other = running_service_url(
        settings.model_copy(update={"service": settings.service.model_copy(update={"url": None})})
    )
    if other is not None:
        msg = f"A service for {settings.data_dir} is running already at {other}"
        raise click.ClickException(msg)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    entries = read_seed(seed) if seed else []
    with errors():
        application = Application(settings, scheduler=True).open()
    interface: subprocess.Popen[bytes] | None = None
    try:
        if entries:
            with errors():
                jobs = application.seed(
                    [SourceConfig(**entry.model_dump()) for entry in entries],
                    caller=Caller("serve", (), is_admin=True),
                )
            if jobs:
                click.echo(f"First start: syncing {len(jobs)} sources in the background", err=True)
        key = _interface_key(settings) if with_ui else None
        app = create_app(settings, application)
        write_service_file(settings, url)
        if key is not None:
            interface = _start_interface(settings, url, ui_port, key)
            click.echo(f"Auskunft: http://127.0.0.1:{ui_port}  (API {url}/api/docs)", err=True)
        uvicorn.run(app, host=host, port=port, log_level=log_level, timeout_graceful_shutdown=10)
    finally:
        if interface is not None:
            interface.terminate()
            try:
                interface.wait(timeout=10)
            except subprocess.TimeoutExpired:
                interface.kill()
        remove_service_file(settings)
        application.close()


def _interface_key(settings: Settings) -> str:
    """:returns: the key the interface presents: the admin's, else one made for this run
    (put into this process's environment, where the service's resolver reads it)."""
    from ui.client import client_key

    key = client_key(settings)
    if key is None:
        if not settings.service.client_key_env:
            msg = "service.client_key_env is empty: the interface could not log in"
            raise click.ClickException(msg)
        key = secrets.token_urlsafe(32)
        os.environ[settings.service.client_key_env] = key
    return key


def _start_interface(settings: Settings, url: str, port: int, key: str) -> subprocess.Popen[bytes]:
    environ: dict[str, Any] = dict(os.environ)
    environ.update(
        {
            str(settings.service.client_key_env): key,
            "AUSKUNFT_SERVICE__URL": url,
            "AUSKUNFT_DATA_DIR": str(settings.data_dir),
        }
    )
    return subprocess.Popen(streamlit_command("127.0.0.1", port), env=environ)
