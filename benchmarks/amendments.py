"""Amendment links, replacements and in-force dates against a hand-checked list.

    python benchmarks/amendments.py [--corpus samples|linsengericht] [--ocr-cache DIR]

Every document of the sample corpus and of the real Linsengericht corpus (PDFs, most of
them scans, and the text-only statutes) is parsed exactly as ingestion does it and as
``benchmarks/metadata_accuracy.py`` does (same functions, same OCR cache), given its
metadata (:func:`ingest.pipeline.doc_metadata.infer_metadata`), read by
:func:`ingest.relations.validity.analyse` and linked per corpus by
:func:`ingest.relations.versions.link_versions`. The result is compared with
``benchmarks/amendments_expected.json``, written by reading the documents themselves.

An enactment (a statute text; a file may hold several) is named by its file and the page
it starts on. Figures per corpus:

- amendment links (amending statute → statute amended): precision and recall of pairs;
  and of amending statutes found as such, whatever they were linked to;
- replacements (a statute putting another of the corpus out of force): the same;
- ``in_force_from``: accuracy over every listed enactment (a date left open by the text
  must be found open), split into dates the documents state or resolve and dates they
  leave open; the page of the sentence saying it; ``in_force_until``;
- the provisions amendments change (precision and recall over the listed ones);
- in-force dates found for documents the list does not hold to be rules (spurious).

Prints every mismatch; writes the figures to ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import search  # noqa: E402,F401  (offline switches first)
from benchmarks.metadata_accuracy import (  # noqa: E402
    LINSENGERICHT,
    cached_ocr,
    documents,
    parsed_of,
)
from ingest.pipeline.doc_metadata import infer_metadata  # noqa: E402
from ingest.pipeline.elements import Element, ParsedDocument  # noqa: E402
from ingest.pipeline.parsing import pdf  # noqa: E402
from ingest.relations.validity import Enactment, analyse, pages_of  # noqa: E402
from ingest.relations.versions import (  # noqa: E402
    DocumentRecord,
    Part,
    Versions,
    link_versions,
)

EXPECTED = Path(__file__).with_name("amendments_expected.json")
RAGSOURCE = LINSENGERICHT.parents[1] / "eval" / "ragsource_fragen" / "corpus.jsonl"
CORPORA = ("samples", "linsengericht", "ragsource")
Id = tuple[str, int | str]
"""An enactment as the list names it: file and first page (or place, ``"part 1"``)."""


def records(corpus: str) -> list[DocumentRecord]:
    """Every document of a corpus, parsed, given its metadata and analysed."""
    if corpus == "ragsource":
        return _held_out()
    found = []
    for key, path in documents(corpus):
        parsed = parsed_of(path)
        meta = infer_metadata(parsed, path.name)
        validity = analyse(
            pages_of(parsed), title=meta["title"], doc_type=meta["doc_type"], date=meta.get("date")
        )
        found.append(
            DocumentRecord(key, meta["title"], meta["doc_type"], meta.get("date"), validity)
        )
    return found


def _held_out() -> list[DocumentRecord]:
    """The local statutes of the ragsource evaluation set (plain text): Bad Boll's and
    the Landkreis Göppingen's, not the state and federal laws beside them."""
    found = []
    for line in RAGSOURCE.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        if "BBO" not in doc["_id"] and not doc["_id"].startswith("RS-LKR-GP"):
            continue
        parsed = ParsedDocument(elements=[Element(doc["text"])], title=doc["title"])
        meta = infer_metadata(parsed, f"{doc['_id']}.md")
        validity = analyse(
            pages_of(parsed), title=meta["title"], doc_type=meta["doc_type"], date=meta.get("date")
        )
        found.append(
            DocumentRecord(doc["_id"], meta["title"], meta["doc_type"], meta.get("date"), validity)
        )
    return found


def ident(doc: str, where: dict[str, Any]) -> Id:
    """How the list names an enactment: its file and first page, or, in a file without
    pages, its place among the file's enactments (``"part": 1``; the first is 0)."""
    page = where.get("page")
    return (doc, page if page is not None else f"part {where.get('part', 0)}")


def _ids(
    versions: Versions, enactments: dict[Part, Enactment], listed: dict[str, list[dict[str, Any]]]
) -> dict[Part, Id]:
    """Each enactment found, named as the list names it: the listed one of its file whose
    page it starts on (in a file without pages: at whose place), else whose pages it
    spans; an enactment the list does not hold by its first page or place."""
    names: dict[Part, Id] = {}
    for version in versions.versions:
        part = version.part
        first, last = enactments[part].first_page, enactments[part].last_page
        entries = listed.get(part.doc_id, [])
        match = next((e for e in entries if first is not None and e["page"] == first), None)
        match = match or next(
            (
                e
                for e in entries
                if first is None and e["page"] is None and e.get("part", 0) == part.index
            ),
            None,
        )
        match = match or next(
            (e for e in entries if e["page"] and first and last and first <= e["page"] <= last),
            None,
        )
        taken = set(names.values())
        if match is not None and ident(part.doc_id, match) not in taken:
            names[part] = ident(part.doc_id, match)
        else:
            names[part] = ident(part.doc_id, {"page": first, "part": part.index})
    return names


def _pr(found: set[Any], expected: set[Any]) -> dict[str, Any]:
    right = len(found & expected)
    return {
        "found": len(found),
        "expected": len(expected),
        "right": right,
        "precision": right / len(found) if found else 1.0,
        "recall": right / len(expected) if expected else 1.0,
        "missed": sorted(map(str, expected - found)),
        "wrong": sorted(map(str, found - expected)),
    }


def evaluate(corpus: str, expected: dict[str, Any]) -> dict[str, Any]:
    """Compare a corpus's links and dates with the hand-checked list."""
    started = time.perf_counter()
    corpus_records = records(corpus)
    parsed_seconds = time.perf_counter() - started
    enactments = {
        Part(record.doc_id, index): enactment
        for record in corpus_records
        for index, enactment in enumerate(record.validity.enactments)
    }
    versions = link_versions(corpus_records)
    listed: dict[str, list[dict[str, Any]]] = expected["enactments"]
    names = _ids(versions, enactments, listed)
    gold_ids = {ident(doc, e): e for doc, entries in listed.items() for e in entries}

    def ref(target: dict[str, Any]) -> Id:
        return ident(target["doc"], target)

    amend_gold = {(i, ref(e["amends"])) for i, e in gold_ids.items() if e["amends"]}
    amend_found = {(names[v.part], names[v.amends]) for v in versions.versions if v.amends}
    detected_gold = {i for i, e in gold_ids.items() if e["amends"]}
    detected_found = {names[v.part] for v in versions.versions if v.is_amendment}
    replace_gold = {(ref(r["old"]), ref(r["new"])) for r in expected["replacements"]}
    replace_found = {(names[old], names[v.part]) for v in versions.versions for old in v.replaces}

    by_id = {names[v.part]: v for v in versions.versions}
    rows: list[dict[str, Any]] = []
    for gold_id, entry in sorted(gold_ids.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        version = by_id.get(gold_id)
        start = version.in_force_from if version else None
        until = version.in_force_until if version else None
        rows.append(
            {
                "enactment": list(gold_id),
                "found": version is not None,
                "from": [entry["in_force_from"], start.date if start else None],
                "page": [entry["in_force_page"], start.evidence.page if start else None],
                "until": [entry["in_force_until"], until.date if until else None],
                "sentence": start.evidence.sentence[:160] if start else None,
            }
        )
    stated = [r for r in rows if r["from"][0] is not None]
    left_open = [r for r in rows if r["from"][0] is None]
    paged = [r for r in rows if r["page"][0] is not None]
    change_gold = {
        (i, c) for i, e in gold_ids.items() for c in e.get("changes", []) if e.get("changes")
    }
    listed_changes = {i for i, _c in change_gold}
    change_found = {
        (names[part], change.provision)
        for part, enactment in enactments.items()
        if enactment.amendment and names[part] in listed_changes
        for change in enactment.amendment.changes
    }
    spurious = [  # in-force dates of documents the list does not hold to be rules
        {"enactment": list(names[v.part]), "from": v.effective_from, "title": v.title[:80]}
        for v in versions.versions
        if names[v.part] not in gold_ids and v.in_force_from and v.in_force_from.date
    ]
    announced = [
        {
            "doc": a["doc"],
            "linked": any(
                v.part.doc_id == a["doc"] and v.amends and names[v.amends] == ref(a["of"])
                for v in versions.versions
            ),
        }
        for a in expected.get("announced", [])
    ]

    def accuracy(subset: list[dict[str, Any]], field: str) -> dict[str, Any]:
        right = sum(1 for r in subset if r[field][0] == r[field][1])
        return {
            "right": right,
            "total": len(subset),
            "accuracy": right / len(subset) if subset else 1.0,
        }

    return {
        "documents": len(corpus_records),
        "enactments_found": len(versions.versions),
        "amendment_links": _pr(amend_found, amend_gold),
        "amendments_detected": _pr(detected_found, detected_gold),
        "replacements": _pr(replace_found, replace_gold),
        "in_force_from": accuracy(rows, "from"),
        "in_force_from_stated": accuracy(stated, "from"),
        "in_force_from_left_open": accuracy(left_open, "from"),
        "in_force_page": accuracy(paged, "page"),
        "in_force_until": accuracy(rows, "until"),
        "changes": _pr(change_found, change_gold),
        "spurious_in_force": spurious,
        "announced_amendments": announced,
        "rows": rows,
        "seconds_parse": round(parsed_seconds, 1),
        "seconds_analysis": round(time.perf_counter() - started - parsed_seconds, 2),
    }


def _report(corpus: str, result: dict[str, Any]) -> None:
    def pr(name: str) -> str:
        r = result[name]
        counts = f"{r['right']}/{r['found']} found, {r['expected']} listed"
        return f"P {r['precision']:.2f} R {r['recall']:.2f} ({counts})"

    def acc(name: str) -> str:
        r = result[name]
        return f"{r['right']}/{r['total']} ({r['accuracy']:.0%})"

    print(
        f"\n{corpus}: {result['documents']} documents, {result['enactments_found']} enactments "
        f"(parse {result['seconds_parse']} s, analysis and linking {result['seconds_analysis']} s)"
    )
    print(f"  amendment links       {pr('amendment_links')}")
    print(f"  amendments detected   {pr('amendments_detected')}")
    print(f"  replacements          {pr('replacements')}")
    print(
        f"  in force from         {acc('in_force_from')}  — stated or resolved "
        f"{acc('in_force_from_stated')}, left open by the text {acc('in_force_from_left_open')}"
    )
    print(f"  page of that sentence {acc('in_force_page')}")
    print(f"  in force until        {acc('in_force_until')}")
    print(f"  changed provisions    {pr('changes')}")
    announced = result["announced_amendments"]
    if announced:
        linked = sum(a["linked"] for a in announced)
        print(f"  announced amendments without their text, linked: {linked}/{len(announced)}")
    for name in ("amendment_links", "amendments_detected", "replacements", "changes"):
        for miss in result[name]["missed"]:
            print(f"  {name} missed: {miss}")
        for wrong in result[name]["wrong"]:
            print(f"  {name} wrong: {wrong}")
    for row in result["rows"]:
        for field in ("from", "page", "until"):
            want, got = row[field]
            if want != got and not (field == "page" and want is None):
                where = f"  {row['enactment']} {field}"
                print(f"{where}: expected {want!r}, found {got!r} — {row['sentence']}")
    for item in result["spurious_in_force"]:
        print(f"  spurious in-force date: {item}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=CORPORA, action="append")
    parser.add_argument(
        "--ocr-cache", type=Path, default=Path("/tmp/auskunft-bench/ocr-cache"),
        help="directory for tesseract output per page image (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument("--label", default="", help="name of this run in the results file")
    args = parser.parse_args()
    pdf.ocr_image = cached_ocr(args.ocr_cache)
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    results: dict[str, Any] = {}
    for corpus in args.corpus or CORPORA:
        source = {"linsengericht": LINSENGERICHT / "manifest.json", "ragsource": RAGSOURCE}
        if corpus in source and not source[corpus].is_file():
            print(f"{corpus}: corpus not found at {source[corpus]}, skipped")
            continue
        results[corpus] = evaluate(corpus, expected[corpus])
        _report(corpus, results[corpus])
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = f"amendments-{stamp}{'-' + args.label if args.label else ''}.json"
    (out / name).write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
