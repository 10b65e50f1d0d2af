"""References to council papers and to federal law: extraction and resolution, measured.

    python benchmarks/references.py [--part karlsruhe|linsengericht] [--ocr-cache DIR]
                                    [--show N] [--sample N] [--label NAME]

**Karlsruhe (council papers).** The texts of ``../shared/data/eval/karlsruhe_anfragen``
(31,213 council documents: 1,086 answers of the administration to inquiries, 30,127 files
of papers) are searched for paper numbers with
:func:`ingest.relations.references.extract_references`
(the document's own number, its paper's ``reference``, left out) and resolved with
:func:`ingest.relations.references.resolve` against the 14,004 papers of
``../shared/data/corpora/oparl-karlsruhe/papers.jsonl.gz`` by their ``reference``. A corpus
document belongs to a paper by its ``source``: the paper's OParl id (answers) or one of the
paper's files (``auxiliaryFile`` ids).

- *Recall* uses OParl's own links as gold: for a document whose paper has
  ``superordinatedPaper`` / ``subordinatedPaper`` links, every linked paper whose number
  the text writes (the number found in the raw text with an independent pattern, any
  words around it) is a gold reference; recall is the share of them that we resolve to
  that very paper. The share of *all* gold links (most texts never write the linked
  paper's number) is reported beside it.
- *Precision* is the share of resolved references that point to the paper the text
  means, estimated on a sample of resolved references judged by hand
  (``benchmarks/references_karlsruhe_checked.json``: the citation in context beside the
  paper it was resolved to). Beside it, as a lower bound, the share of resolved
  references in documents with links that gold confirms (the target is one of the
  linked papers; the others are papers the text cites for other reasons, not errors).

**Linsengericht + Bundesrecht (laws).** Every document of
``../shared/data/corpora/linsengericht`` is parsed as ingestion parses it (the functions of
``benchmarks/metadata_accuracy.py``, with its OCR cache), its references are extracted,
and the § references to the 65 federal laws of ``../shared/data/corpora/bundesrecht`` are
compared per document with ``benchmarks/references_expected.json`` (written by reading
the texts), as sets of (law, §). Extraction precision and recall; resolution recall is
the share of gold (law, §) that we resolve to an existing § of the law (its
``toc.json``), resolution precision the share of our resolved (law, §) that gold has.

Prints the figures and writes them to ``benchmarks/results/references-<time>.json``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import search  # noqa: E402,F401  (offline switches first)
from benchmarks.metadata_accuracy import cached_ocr, documents  # noqa: E402
from connectors.base import SourceDocument  # noqa: E402
from ingest.pipeline.parsing import parse_document, pdf  # noqa: E402
from ingest.pipeline.structure import annotate  # noqa: E402
from ingest.relations.law_names import PORTAL_LAWS, canonical_abbreviation  # noqa: E402
from ingest.relations.references import (  # noqa: E402
    LAW,
    PAPER,
    RESOLVED,
    LawTarget,
    ReferenceTargets,
    extract_references,
    resolve,
)

DATA = ROOT.parent / "shared" / "data"
KARLSRUHE_CORPUS = DATA / "eval" / "karlsruhe_anfragen" / "corpus.jsonl.gz"
KARLSRUHE_PAPERS = DATA / "corpora" / "oparl-karlsruhe" / "papers.jsonl.gz"
BUNDESRECHT = DATA / "corpora" / "bundesrecht"
EXPECTED = Path(__file__).with_name("references_expected.json")
CHECKED = Path(__file__).with_name("references_karlsruhe_checked.json")


# --- Karlsruhe ---------------------------------------------------------------------------


def _papers() -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Papers by OParl id, and the paper of every file id."""
    papers: dict[str, dict[str, Any]] = {}
    file_paper: dict[str, str] = {}
    with gzip.open(KARLSRUHE_PAPERS, "rt", encoding="utf-8") as lines:
        for line in lines:
            paper = json.loads(line)
            papers[paper["id"]] = paper
            for file in [paper.get("mainFile"), *(paper.get("auxiliaryFile") or [])]:
                if isinstance(file, dict) and file.get("id"):
                    file_paper[file["id"]] = paper["id"]
    return papers, file_paper


def _corpus() -> Iterator[dict[str, Any]]:
    with gzip.open(KARLSRUHE_CORPUS, "rt", encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def _written(number: str, text: str) -> int | None:
    """Where ``text`` writes the paper number ``number`` (``2021/0167``, not as part
    of ``2021/0167/1`` or ``12021/0167``), with any words around it; ``None``: nowhere."""
    pattern = re.escape(number).replace("/", r"\s?/\s?")
    found = re.search(rf"(?<![\d/]){pattern}(?![\d]|/\d)", text)
    return found.start() if found else None


def karlsruhe(show: int, sample_size: int) -> dict[str, Any]:
    """Paper references of the Karlsruhe texts against the Karlsruhe papers."""
    started = time.perf_counter()
    papers, file_paper = _papers()
    targets = ReferenceTargets()
    for paper_id, record in papers.items():
        if record.get("reference") and not record.get("deleted"):
            targets.add_paper(record["reference"], paper_id, paper=paper_id)
    counts: Counter[str] = Counter()
    resolved_pairs: list[tuple[str, str, int, str]] = []  # doc, target, offset, text
    gold_total = gold_written = gold_found = 0
    confirmed = checkable = 0
    misses: list[dict[str, Any]] = []
    docs_by_id: dict[str, dict[str, Any]] = {}
    for doc in _corpus():
        counts["documents"] += 1
        source = doc["source"]
        owner = source if source in papers else file_paper.get(source)
        paper = papers.get(owner or "")
        own = paper.get("reference") if paper else None
        found = extract_references(doc["text"], own_reference=own)
        refs = [ref for ref in found if ref.kind == PAPER]
        counts["references"] += len(refs)
        ours: dict[str, set[str]] = defaultdict(set)
        for item in resolve(refs, targets):
            counts[item.status] += 1
            if item.doc_id:
                ours[item.doc_id].add(item.reference.key)
                resolved_pairs.append(
                    (doc["_id"], item.doc_id, item.reference.start or 0, item.reference.text)
                )
        links: set[str] = set()
        if paper:
            links = set(paper.get("superordinatedPaper") or []) | set(
                paper.get("subordinatedPaper") or []
            )
        if links:
            for target in ours:
                checkable += 1
                confirmed += target in links
        for link in links:
            linked = papers.get(link)
            if not linked or not linked.get("reference"):
                continue
            gold_total += 1
            if _written(linked["reference"], doc["text"]) is None:
                continue
            gold_written += 1
            if link in ours:
                gold_found += 1
            else:
                start = _written(linked["reference"], doc["text"]) or 0
                context = " ".join(doc["text"][max(0, start - 80) : start + 40].split())
                gold = linked["reference"]
                misses.append({"document": doc["_id"], "gold": gold, "context": context})
        if refs:
            docs_by_id[doc["_id"]] = doc
    result: dict[str, Any] = {
        "documents": counts["documents"],
        "references_found": counts["references"],
        "resolved": counts[RESOLVED],
        "unresolved": counts["unresolved"],
        "ambiguous": counts["ambiguous"],
        "documents_citing": len(docs_by_id),
        "gold_links": gold_total,
        "gold_links_written": gold_written,
        "gold_links_resolved": gold_found,
        "recall": gold_found / gold_written if gold_written else 0.0,
        "recall_of_all_links": gold_found / gold_total if gold_total else 0.0,
        "resolved_in_linked_documents": checkable,
        "confirmed_by_gold": confirmed,
        "misses": misses,
    }
    result["precision_sample"] = _sample_precision(resolved_pairs, docs_by_id, papers, sample_size)
    result["seconds"] = round(time.perf_counter() - started, 1)
    print(
        f"\nKarlsruhe ({result['documents']:,} texts, {result['seconds']} s): "
        f"{result['references_found']:,} paper references found in "
        f"{result['documents_citing']:,} texts; resolved {result['resolved']:,}, "
        f"unresolved {result['unresolved']:,}, ambiguous {result['ambiguous']:,}"
    )
    print(
        f"  recall {result['recall']:.3f} ({gold_found}/{gold_written} gold super/sub links whose "
        f"number the text writes; {result['recall_of_all_links']:.3f} of all {gold_total} links)"
    )
    sample = result["precision_sample"]
    print(
        f"  precision {sample['precision']:.3f} on {sample['judged']} hand-checked resolved "
        f"references ({sample['unjudged']} of the {sample['drawn']} drawn not judged yet)"
    )
    print(
        f"  gold confirms {confirmed}/{checkable} distinct resolved targets of texts with links "
        "(a lower bound: the others are papers cited for other reasons)"
    )
    for miss in misses[:show]:
        print(f"  missed {miss['gold']} in {miss['document']}: …{miss['context']}…")
    return result


def _sample_precision(
    pairs: list[tuple[str, str, int, str]],
    docs: dict[str, dict[str, Any]],
    papers: dict[str, dict[str, Any]],
    size: int,
) -> dict[str, Any]:
    """Precision on resolved references judged by hand.

    The sample is the ``size`` resolved references whose key (``"doc|offset|target"``)
    hashes lowest: a change of the extraction changes it only where it changes the
    references. The verdicts live in :data:`CHECKED` (key → true/false); every judged
    reference still resolved counts (the sample and earlier samples); drawn references
    without a verdict are written to ``benchmarks/results/references-to-check.json`` for
    judging.
    """
    verdicts: dict[str, bool] = {}
    if CHECKED.is_file():
        verdicts = json.loads(CHECKED.read_text(encoding="utf-8"))["verdicts"]
    keyed = {f"{doc_id}|{start}|{target}": (doc_id, target, start, written)
             for doc_id, target, start, written in pairs}  # fmt: skip
    drawn = sorted(keyed, key=lambda key: hashlib.sha256(key.encode()).hexdigest())[:size]
    judged_keys = [key for key in keyed if key in verdicts]
    right = sum(bool(verdicts[key]) for key in judged_keys)
    unjudged: list[dict[str, Any]] = []
    for key in drawn:
        doc_id, target, start, written = keyed[key]
        if key in verdicts:
            continue
        text = docs[doc_id]["text"]
        unjudged.append(
            {"key": key, "written": written,
             "context": " ".join(text[max(0, start - 200) : start + 120].split()),
             "text_date": docs[doc_id].get("date"), "text_title": docs[doc_id]["title"],
             "target": papers[target].get("reference"), "target_name": papers[target]["name"],
             "target_date": papers[target].get("date"),
             "target_type": papers[target].get("paperType")}
        )  # fmt: skip
    if unjudged:
        out = ROOT / "benchmarks" / "results"
        out.mkdir(parents=True, exist_ok=True)
        path = out / "references-to-check.json"
        path.write_text(json.dumps(unjudged, indent=1, ensure_ascii=False), encoding="utf-8")
        print(f"  {len(unjudged)} drawn references have no verdict yet: {path}")
    return {
        "drawn": len(drawn),
        "judged": len(judged_keys),
        "right": right,
        "unjudged": len(unjudged),
        "precision": right / len(judged_keys) if judged_keys else 0.0,
        "wrong": [key for key in judged_keys if not verdicts[key]],
    }


# --- Linsengericht + Bundesrecht ---------------------------------------------------------


def law_targets() -> tuple[ReferenceTargets, set[str]]:
    """The federal laws of the shared corpus as targets, their §§ from ``toc.json``, under
    the abbreviation their document is cited by (as :mod:`ingest.pipeline.parsing.lawxml` gives it:
    ``BauGB`` for the portal's ``BBauG``, ``SGB VIII`` for ``SGB 8``)."""
    targets = ReferenceTargets()
    names: set[str] = set()
    for folder in sorted(BUNDESRECHT.glob("BJNR*")):
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        toc = json.loads((folder / "toc.json").read_text(encoding="utf-8"))
        name = canonical_abbreviation(
            meta.get("amtabk") or re.sub(r"\s+\d{4}$", "", meta["jurabk"])
        )
        paths = []
        for section in toc["sections"]:
            number = re.sub(r"^Art\s+", "Art. ", section["number"])
            heading = f"{number} {section.get('heading') or ''}".strip()
            paths.append([heading])
            absaetze = range(1, (section.get("absatz_count") or 0) + 1)
            paths += [[heading, f"Abs. {n}"] for n in absaetze]
        targets.add_law(name, LawTarget.from_section_paths(meta["bjnr"], paths))
        names.add(name)
    return targets, names


def _text(path: Path) -> str:
    """The text of a document as ingestion parses it (``metadata_accuracy``'s way)."""
    source = SourceDocument(uri=path.as_uri(), filename=path.name, content=path.read_bytes())
    parsed = annotate(parse_document(source, max_bytes=10**9, ocr_workers=2))
    return "\n".join(element.text for element in parsed.elements)


def _pair(law: str, section: str) -> str:
    return f"{law} {section}"


def _scores(right: int, found: int, gold: int) -> dict[str, Any]:
    return {
        "found": found,
        "right": right,
        "precision": right / found if found else 0.0,
        "recall": right / gold if gold else 0.0,
    }


def linsengericht(show: int) -> dict[str, Any]:
    """§ references to federal law in the Linsengericht statutes against the gold list."""
    started = time.perf_counter()
    expected: dict[str, list[str]] = json.loads(EXPECTED.read_text(encoding="utf-8"))["documents"]
    targets, federal = law_targets()
    missing_laws = {law.abbreviation for law in PORTAL_LAWS} - federal
    counts: Counter[str] = Counter()
    other_laws: Counter[str] = Counter()
    false_positives: list[str] = []
    false_negatives: list[str] = []
    unresolved_gold: list[str] = []
    for key, path in documents("linsengericht"):
        if key not in expected:
            print(f"  not in the expected list, skipped: {key}", file=sys.stderr)
            continue
        gold = set(expected[key])
        refs = [ref for ref in extract_references(_text(path)) if ref.kind == LAW]
        found: set[str] = set()
        resolved: set[str] = set()
        for item in resolve(refs, targets):
            ref = item.reference
            if ref.law not in federal:
                other_laws[ref.law or "?"] += 1
                continue
            pair = _pair(ref.law, ref.section or "")
            found.add(pair)
            if item.status == RESOLVED:
                resolved.add(pair)
        counts["documents"] += 1
        counts["gold"] += len(gold)
        counts["found"] += len(found)
        counts["found_right"] += len(found & gold)
        counts["resolved"] += len(resolved)
        counts["resolved_right"] += len(resolved & gold)
        false_positives += [f"{key}: {pair}" for pair in sorted(found - gold)]
        false_negatives += [f"{key}: {pair}" for pair in sorted(gold - found)]
        unresolved_gold += [f"{key}: {pair}" for pair in sorted((gold & found) - resolved)]
    result: dict[str, Any] = {
        "documents": counts["documents"],
        "gold_pairs": counts["gold"],
        "extraction": _scores(counts["found_right"], counts["found"], counts["gold"]),
        "resolution": _scores(counts["resolved_right"], counts["resolved"], counts["gold"]),
        "false_positives": false_positives,
        "false_negatives": false_negatives,
        "found_but_not_resolved": unresolved_gold,
        "references_to_other_laws": dict(other_laws.most_common()),
        "catalogue_laws_not_in_corpus": sorted(missing_laws),
        "seconds": round(time.perf_counter() - started, 1),
    }
    ext, res = result["extraction"], result["resolution"]
    print(
        f"\nLinsengericht → Bundesrecht ({result['documents']} documents, "
        f"{result['gold_pairs']} gold (law, §), {result['seconds']} s)"
    )
    print(
        f"  extraction: precision {ext['precision']:.3f} ({ext['right']}/{ext['found']}), "
        f"recall {ext['recall']:.3f} ({ext['right']}/{result['gold_pairs']})"
    )
    print(
        f"  resolution to an existing §: precision {res['precision']:.3f} "
        f"({res['right']}/{res['found']}), recall {res['recall']:.3f} "
        f"({res['right']}/{result['gold_pairs']})"
    )
    print(f"  references to other laws (not scored): {dict(other_laws.most_common(12))}")
    for label, items in (("false positive", false_positives), ("missed", false_negatives),
                         ("found, not resolved", unresolved_gold)):  # fmt: skip
        for line in items[:show]:
            print(f"  {label}: {line}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("karlsruhe", "linsengericht"), action="append")
    parser.add_argument(
        "--ocr-cache", type=Path, default=Path("/tmp/auskunft-bench/ocr-cache"),
        help="directory for tesseract output per page image (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument("--show", type=int, default=20, help="misses to print per kind")
    parser.add_argument("--sample", type=int, default=100, help="resolved references to judge")
    parser.add_argument("--label", default="", help="name of this run in the results file")
    args = parser.parse_args()
    pdf.ocr_image = cached_ocr(args.ocr_cache)
    results: dict[str, Any] = {}
    for part in args.part or ["karlsruhe", "linsengericht"]:
        if part == "karlsruhe":
            if not KARLSRUHE_CORPUS.is_file() or not KARLSRUHE_PAPERS.is_file():
                print(f"karlsruhe: data not found under {DATA}, skipped")
                continue
            results[part] = karlsruhe(args.show, args.sample)
        else:
            if not (BUNDESRECHT / "_index_jurabk_to_bjnr.json").is_file():
                print(f"linsengericht: federal law corpus not found at {BUNDESRECHT}, skipped")
                continue
            results[part] = linsengericht(args.show)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = f"references-{stamp}{'-' + args.label if args.label else ''}.json"
    (out / name).write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
