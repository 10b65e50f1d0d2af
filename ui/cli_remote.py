"""The CLI as a client of a running service: when ``auskunft serve`` owns the index (or
``service.url`` names one), commands ask it instead of opening the stores themselves.

Who the CLI acts for: the API key in ``$AUSKUNFT_API_KEY`` (``service.api_key_env``);
without one, in development mode, the person at the terminal with the groups given by
``--group`` (or ``access.dev_groups``).
"""

from __future__ import annotations

import sys
import time
from typing import Any

import click
from haystack.utils import Secret

from search.core.settings import Settings
from ui.cli_common import os_user
from ui.client import Identity, ServiceClient, running_service_url


def remote(settings: Settings, groups: tuple[str, ...] = ()) -> ServiceClient | None:
    """:returns: a client of the service that owns the index, or ``None`` when none runs
    (the command then works in-process)."""
    url = running_service_url(settings)
    if url is None:
        return None
    name = settings.service.api_key_env
    key = Secret.from_env_var(name, strict=False).resolve_value() if name else None
    if key:
        identity = Identity(key=str(key))
    else:
        identity = Identity(user=os_user(), groups=groups or tuple(settings.access.dev_groups))
    return ServiceClient(settings, url, identity)


def wait_for(client: ServiceClient, job: dict[str, Any], *, quiet: bool) -> dict[str, Any]:
    """Follow a job of the service with a progress bar until it ends.

    :returns: the finished job.
    """
    label = f"{job['kind'].capitalize()} {job['target']}"
    if quiet or not sys.stderr.isatty():
        return client.wait(job)
    done = 0
    bar: Any
    with click.progressbar(length=job.get("total"), label=label, file=sys.stderr) as bar:
        while not job.get("finished"):
            time.sleep(0.5)
            job = client.job(int(job["id"]))
            seen = sum(job.get("counts", {}).values())
            bar.update(seen - done)
            done = seen
    return job
