"""Source kinds: options are checked before any connection is made."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.sync.kinds import KINDS
from ingest.sync.sources import SourceConfig, SourceRegistry
from search.core.errors import ConfigurationError
from search.core.settings import Settings


@pytest.mark.parametrize(
    ("kind", "location", "options", "message"),
    [
        ("oparl", "http://127.0.0.1:9/oparl", {"timeout": "bald"}, "OParl option timeout"),
        ("oparl", "http://127.0.0.1:9/oparl", {"retries": 2.5j}, "OParl option retries"),
        ("website", "http://127.0.0.1:9/", {"max_pages": "viele"}, "Website option max_pages"),
        ("oparl", "ftp://rat.example/oparl", {}, "must be an http"),
        ("website", "www.lindenbrueck.de/satzungen", {}, "must be an http"),
        ("website", "http://127.0.0.1:9/", {"farbe": "blau"}, "Unknown option"),
    ],
)
def test_bad_options_are_refused_without_network(
    tmp_path: Path, kind: str, location: str, options: dict[str, object], message: str
) -> None:
    source = SourceConfig(name="q", kind=kind, location=location, options=options)
    with pytest.raises(ConfigurationError, match=message):
        SourceRegistry.connector(source.validated(), Settings(data_dir=tmp_path))


def test_every_kind_describes_its_options_and_location() -> None:
    assert set(KINDS) == {"folder", "oparl", "website", "lawxml"}
    for kind in KINDS.values():
        assert kind.location_label
        assert all(description for description in kind.options.values())


def test_options_typed_as_text() -> None:
    from ingest.sync.kinds.base import OptionSyntaxError, parse_options

    parsed = parse_options(["max_pages=200", " delay_seconds = 1.5", "vendor= sternberg ", "a=[1]"])
    assert parsed == {"max_pages": 200, "delay_seconds": 1.5, "vendor": "sternberg", "a": [1]}
    with pytest.raises(OptionSyntaxError) as error:
        parse_options(["max_pages=1", "timeout"])
    assert error.value.line == "timeout"
