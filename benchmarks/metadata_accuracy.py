"""Title, document type, date and reference accuracy against a hand-checked list.

    python benchmarks/metadata_accuracy.py [--corpus samples|linsengericht] [--ocr-cache DIR]

Every document of the sample corpus (``samples/corpus``) and of the real Linsengericht
corpus (``../shared/data/corpora/linsengericht``, 33 PDFs, most of them scans, and 4 text
files) is parsed, structured and given its metadata exactly as ingestion does
(:func:`ingest.pipeline.parsing.parse_document`, :func:`ingest.pipeline.structure.annotate`,
:func:`ingest.pipeline.doc_metadata.infer_metadata`). The result is compared with
``benchmarks/metadata_expected.json``, written by reading the documents themselves (their
first pages, rendered scans included), not from Auskunft's output.

Comparison: ``doc_type``, ``date`` exactly; ``title`` after folding case, whitespace and
punctuation; ``reference`` by its number (``Drs. 2024/0153`` = ``Drucksache 2024/0153``);
a field the list leaves ``null`` must not be found; a list of values accepts any of
them. ``reference`` is the number of a council paper (Drucksache, Vorlage), which
minutes and statutes do not have. Prints per-field accuracy per corpus
and every mismatch; writes the figures to ``benchmarks/results/``.

Tesseract output is cached per rendered page (by its SHA-256) under ``--ocr-cache``, so
only the first run pays for the ~170 scanned pages; the code after OCR runs every time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import search  # noqa: E402,F401  (offline switches first)
from connectors.base import SourceDocument  # noqa: E402
from ingest.pipeline.doc_metadata import infer_metadata  # noqa: E402
from ingest.pipeline.elements import ParsedDocument  # noqa: E402
from ingest.pipeline.parsing import SUPPORTED_EXTENSIONS, parse_document, pdf  # noqa: E402
from ingest.pipeline.parsing.ocr import ocr_image  # noqa: E402
from ingest.pipeline.structure import annotate  # noqa: E402

SAMPLES = ROOT / "samples" / "corpus"
LINSENGERICHT = ROOT.parent / "shared" / "data" / "corpora" / "linsengericht"
EXPECTED = Path(__file__).with_name("metadata_expected.json")
FIELDS = ("title", "doc_type", "date", "reference")


def cached_ocr(cache: Path) -> Any:
    """``ocr_image`` with its output kept in ``cache``, keyed by image and languages."""
    cache.mkdir(parents=True, exist_ok=True)

    def run(png: bytes, languages: str) -> str:
        key = hashlib.sha256(png + languages.encode()).hexdigest()
        path = cache / f"{key}.txt"
        if path.is_file():
            return path.read_text(encoding="utf-8")
        text = ocr_image(png, languages)
        path.write_text(text, encoding="utf-8")
        return text

    return run


def documents(corpus: str) -> Iterator[tuple[str, Path]]:
    """``(key, path)`` of every document of a corpus, keys as in the expected list."""
    root = SAMPLES if corpus == "samples" else LINSENGERICHT
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix.lower() in SUPPORTED_EXTENSIONS:
            if path.name.lower().startswith("readme"):
                continue
            yield path.relative_to(root).as_posix(), path


def parsed_of(path: Path) -> ParsedDocument:
    """One file parsed and structured as ingestion does it."""
    source = SourceDocument(uri=path.as_uri(), filename=path.name, content=path.read_bytes())
    return annotate(parse_document(source, max_bytes=10**9, ocr_workers=2))


def metadata_of(path: Path) -> dict[str, Any]:
    """What ingestion infers about one file."""
    return infer_metadata(parsed_of(path), path.name)


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^\wäöüß]+", " ", text.lower()).split())


def _number(reference: str) -> str:
    found = re.search(r"\d[\d\s]*/\s*\d+", reference)
    return re.sub(r"\s", "", found[0]) if found else _fold(reference)


def same(field: str, expected: Any, found: Any) -> bool:
    """Whether ``found`` is what a reader would call the same as ``expected``.

    ``expected`` may be a list of values a careful reader accepts alike (the heading as
    printed and the document's own title property; the date of the decision and the
    ``Stand`` of a web page).
    """
    if isinstance(expected, list):
        return any(same(field, value, found) for value in expected)
    if expected is None or found is None:
        return expected is None and found is None
    if field == "title":
        return _fold(str(expected)) == _fold(str(found))
    if field == "reference":
        return _number(str(expected)) == _number(str(found))
    return bool(expected == found)


def evaluate(corpus: str, expected: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Compare every document of ``corpus`` with its expected metadata."""
    right = dict.fromkeys(FIELDS, 0)
    mismatches: list[dict[str, Any]] = []
    total = 0
    started = time.perf_counter()
    for key, path in documents(corpus):
        if key not in expected:
            print(f"  not in the expected list, skipped: {key}", file=sys.stderr)
            continue
        total += 1
        found = metadata_of(path)
        for field in FIELDS:
            if same(field, expected[key].get(field), found.get(field)):
                right[field] += 1
            else:
                mismatches.append(
                    {"document": key, "field": field,
                     "expected": expected[key].get(field), "found": found.get(field)}
                )  # fmt: skip
    missing = sorted(set(expected) - {key for key, _ in documents(corpus)})
    return {
        "documents": total,
        "right": right,
        "accuracy": {f: right[f] / total if total else 0.0 for f in FIELDS},
        "mismatches": mismatches,
        "missing_files": missing,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=("samples", "linsengericht"), action="append")
    parser.add_argument(
        "--ocr-cache", type=Path, default=Path("/tmp/auskunft-bench/ocr-cache"),
        help="directory for tesseract output per page image (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument("--label", default="", help="name of this run in the results file")
    args = parser.parse_args()
    pdf.ocr_image = cached_ocr(args.ocr_cache)  # type: ignore[assignment]
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    corpora = args.corpus or ["samples", "linsengericht"]
    results: dict[str, Any] = {}
    for corpus in corpora:
        if corpus == "linsengericht" and not (LINSENGERICHT / "manifest.json").is_file():
            print(f"{corpus}: corpus not found at {LINSENGERICHT}, skipped")
            continue
        result = evaluate(corpus, expected[corpus])
        results[corpus] = result
        figures = "  ".join(
            f"{f} {result['right'][f]}/{result['documents']} ({result['accuracy'][f]:.0%})"
            for f in FIELDS
        )
        print(f"\n{corpus} ({result['documents']} documents, {result['seconds']} s): {figures}")
        for miss in result["mismatches"]:
            print(
                f"  {miss['document']} {miss['field']}: expected {miss['expected']!r}, "
                f"found {miss['found']!r}"
            )
        for key in result["missing_files"]:
            print(f"  expected but no such file: {key}")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = f"metadata_accuracy-{stamp}{'-' + args.label if args.label else ''}.json"
    (out / name).write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
