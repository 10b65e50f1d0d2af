"""The real Linsengericht statutes (../shared/data/corpora/linsengericht), via the CLI.

21 of its 33 PDFs are image-only scans, among them the dog-tax statute: the default run
ingests a subset (the dog-tax scan, another scan, the text-layer PDFs and the plain-text
statutes); the whole corpus runs with ``-m slow``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ui.cli import cli

CORPUS = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "corpora" / "linsengericht"
)

pytestmark = pytest.mark.skipif(
    not (CORPUS / "manifest.json").is_file(),
    reason=f"real corpus not found at {CORPUS} (../shared/data beside the project)",
)

DOG_TAX = "hundesteuersatzung-2017-03-21-original.pdf"


def _manifest() -> list[dict]:
    return json.loads((CORPUS / "manifest.json").read_text())


def _invoke(data: Path, *args: str) -> dict | list:
    result = CliRunner().invoke(cli, ["--data-dir", str(data), *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _assert_dog_tax_first(data: Path) -> None:
    response = _invoke(data, "search", "Hundesteuer für den ersten Hund", "--json")
    top = response["results"][0]
    assert Path(top["uri"]).name == DOG_TAX
    assert top["pages"], "the hit must cite a page"
    assert "§" in top["section"], top["section"]
    assert "§" in top["citation"] and "S." in top["citation"]
    # the cited passage is the tax rate: it names the amount for the first dog
    text = " ".join(p["text"] for p in top["passages"])
    assert "Hund" in text
    assert any(currency in text for currency in ("€", "Euro", "EUR", "DM")), text[:500]


@pytest.fixture(scope="module")
def subset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("linsengericht")
    text_layer = [
        Path(e["original_pdf"]).name
        for e in _manifest()
        if e.get("original_pdf") and e.get("original_has_text_layer")
    ]
    for name in [DOG_TAX, "spielgeraete-satzung-2017-03-21-original.pdf", *text_layer]:
        shutil.copy(CORPUS / name, root / name)
    shutil.copytree(CORPUS / "text-only", root / "text-only")
    return root


def test_subset_with_scans_is_indexed_and_dog_tax_found(subset: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    (report,) = _invoke(data, "ingest", str(subset), "--json")
    files = len(list(subset.rglob("*.pdf"))) + len(list(subset.rglob("*.txt")))
    assert report["seen"] == files
    assert report["indexed"] + report["failed"] == files
    assert report["indexed"] >= files - 1, report["failures"]
    assert report["ocr_pages"] >= 12  # the dog-tax statute (8) and the playground one (4)
    status = _invoke(data, "status", "--json")
    assert status["documents"]["indexed"] == report["indexed"]
    _assert_dog_tax_first(data)
    (again,) = _invoke(data, "ingest", str(subset), "--json")
    assert again["unchanged"] == files
    assert (again["indexed"], again["failed"], again["embedded"]) == (0, 0, 0)


@pytest.mark.slow
def test_whole_corpus(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (report,) = _invoke(data, "ingest", str(CORPUS), "--json")
    pdfs = [e for e in _manifest() if e.get("original_pdf")]
    assert len(pdfs) == 33
    assert report["seen"] == 37  # 33 PDFs + 4 text files; manifest.json is excluded
    assert report["indexed"] + report["failed"] == 37
    for failure in report["failures"]:
        assert failure["reason"] and failure["error"]
    assert report["ocr_pages"] >= 150
    _assert_dog_tax_first(data)
    (again,) = _invoke(data, "ingest", str(CORPUS), "--json")
    assert (again["indexed"], again["failed"], again["embedded"]) == (0, 0, 0)
    assert again["unchanged"] == 37
