"""docker-compose.yml: valid for the compose CLI, and in line with the settings model.

``docker compose config -q`` (or the older ``docker-compose``) validates the file when a
compose CLI is installed (no Docker engine is needed for that); the other tests always
run and check what the file promises: the services, their health checks, named volumes,
and that every ``AUSKUNFT_*`` variable is a real setting with a valid value.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from search.core.settings import Settings

ROOT = Path(__file__).parents[1]
COMPOSE = ROOT / "docker-compose.yml"
SERVICES = {"elasticsearch", "qdrant", "postgres", "ollama", "api", "ui", "worker"}
_DEFAULT = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def _compose_cli() -> list[str] | None:
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def _load() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _expand(value: str) -> str:
    """Replace ``${VAR:-default}`` by its default, as compose does without a .env file."""
    return _DEFAULT.sub(lambda match: match.group(2) or "", value)


def test_compose_cli_validates_the_file() -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("no compose CLI (apt-get install docker-compose, or the compose plugin)")
    result = subprocess.run(
        [*cli, "-f", str(COMPOSE), "config", "-q"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


def test_services_health_checks_and_volumes() -> None:
    compose = _load()
    services = compose["services"]
    assert set(services) == SERVICES
    for name, service in services.items():
        check = service.get("healthcheck")
        assert check and check["test"], f"{name} has no health check"
    named = set(compose["volumes"])
    for name in ("elasticsearch", "qdrant", "postgres", "ollama", "api"):
        mounts = [m.split(":", 1)[0] for m in services[name]["volumes"]]
        assert any(mount in named for mount in mounts), f"{name} keeps no data in a volume"
    # the state is in PostgreSQL: no data directory is shared between containers, so
    # workers can run on other machines
    for name in ("ui", "worker"):
        assert "/data" in services[name]["volumes"]  # a container's own, caches only
        assert not any(m.split(":", 1)[0] in named for m in services[name]["volumes"])
    environment = services["worker"]["environment"]
    assert environment["AUSKUNFT_DATABASE__URL"] == environment["AUSKUNFT_QUEUE__URL"]
    for name in ("api", "worker"):
        waits_for = services[name]["depends_on"]
        for server in ("elasticsearch", "qdrant", "postgres"):
            assert waits_for[server]["condition"] == "service_healthy"
    # the interface is a client of the service
    assert services["ui"]["depends_on"]["api"]["condition"] == "service_healthy"
    assert services["ui"]["environment"]["AUSKUNFT_SERVICE__URL"] == "http://api:8700"
    assert services["worker"]["command"] == ["auskunft", "queue", "worker"]
    assert services["api"]["command"][:2] == ["auskunft", "serve"]
    assert services["ui"]["command"][:2] == ["auskunft", "ui"]
    assert services["elasticsearch"]["environment"]["discovery.type"] == "single-node"


def _auskunft_environment() -> dict[str, str]:
    services = _load()["services"]
    client = {**services["worker"]["environment"], "AUSKUNFT_SERVICE__URL": "http://api:8700"}
    assert services["ui"]["environment"] == client
    assert services["api"]["environment"] == services["worker"]["environment"]
    environment = services["ui"]["environment"]
    assert isinstance(environment, dict)
    return {key: _expand(str(value)) for key, value in environment.items()}


def test_every_auskunft_variable_is_a_setting() -> None:
    # variables that hold a secret are named by a setting (…_env), not settings themselves
    secrets = {Settings().service.client_key_env}
    for key in set(_auskunft_environment()) - secrets:
        assert key.startswith("AUSKUNFT_"), key
        path = key.removeprefix("AUSKUNFT_").lower().split("__")
        model: type[BaseModel] = Settings
        for depth, part in enumerate(path):
            assert part in model.model_fields, f"{key}: no setting {part!r}"
            annotation = model.model_fields[part].annotation
            if depth < len(path) - 1:
                assert isinstance(annotation, type) and issubclass(annotation, BaseModel), key
                model = annotation


def test_settings_read_from_the_compose_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUSKUNFT_CONFIG", raising=False)
    monkeypatch.chdir(ROOT / "tests")  # no auskunft.toml here
    for key, value in _auskunft_environment().items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.stores.elasticsearch_url == "http://elasticsearch:9200"
    assert settings.stores.qdrant_url == "http://qdrant:6333"
    assert settings.queue.url == "postgresql://auskunft:auskunft@postgres:5432/auskunft"
    assert settings.database.url == settings.queue.url
    assert settings.llm.url == "http://ollama:11434/v1"
    assert str(settings.data_dir) == "/data"


def test_dockerfile_installs_ocr_and_runs_the_interface() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    for package in ("tesseract-ocr-deu", "poppler-utils"):
        assert package in dockerfile
    assert '"auskunft", "ui"' in dockerfile
