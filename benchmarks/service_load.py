"""Search latency while the service ingests, beside the same load on an idle service.

    python benchmarks/service_load.py [--duration 60] [--clients 20] [--max-docs N]

One ``auskunft serve`` process on a fresh data directory, driven over its REST API:

1. the sample corpus (``samples/corpus``) is synced as a folder source, so that searches
   find something;
2. baseline: ``--clients`` threads send hybrid searches for ``--duration`` seconds, each
   the moment its previous answer came (a closed loop), from a fixed list of German
   questions;
3. load: the Linsengericht folder (``--corpus``) is registered with ``?sync=true`` and the
   same load runs until the sync job is done (or ``--max-seconds``). Meanwhile the job is
   polled; once its first batch is committed (``counts.indexed`` grew), a distinctive
   phrase of one of its text PDFs is searched, filtered to the new source, until that
   document is found: the time to findable.

Per request: latency, errors (a status other than 200, or an exception such as a
timeout), keyword fallbacks (a response with ``notices``, e.g. the vector index was
unavailable, or with another mode than hybrid). Printed: p50/p95/p99/max latency and
throughput per phase, p95(load)/p95(baseline), the sync's report, the time to findable,
the machine and the service settings. JSON with ``--json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search.core.settings import Settings  # noqa: E402
from tests.service_server import free_port, wait_healthy  # noqa: E402

SAMPLES = ROOT / "samples" / "corpus"
LINSENGERICHT = ROOT.parent / "shared" / "data" / "corpora" / "linsengericht"
BASE_SOURCE, LOAD_SOURCE = "beispiel", "linsengericht"
# a text PDF early in the listing (so in the first batch) with a title found nowhere else
PROBE_FILE = "20251124-rl-ortsteilbeauftragte-vers1.0unterschr.pdf"
PROBE_QUERY = "Richtlinie zu Besetzung und Aufgaben der Ortsteilbeauftragten"
TARGET_P95_RATIO, TARGET_FINDABLE_S = 3.0, 10.0
QUIET = ("--log-level", "warning")  # uvicorn's access log would cost the service a line a request

QUERIES = [
    "Wie hoch ist die Hundesteuer für den ersten Hund?",
    "Befreiung von der Hundesteuer für Assistenzhunde",
    "Abwassergebühr pro Kubikmeter Frischwasser",
    "Wer muss den Gehweg vor dem Grundstück reinigen? Straßenreinigung",
    "Ruhezeit und Nutzungsrecht an einem Grab auf dem Friedhof",
    "Gebühren für eine Urnenbestattung",
    "Hauptsatzung: Zahl der Beigeordneten im Gemeindevorstand",
    "Anschluss- und Benutzungszwang an die öffentliche Entwässerung",
    "Abfallgebühren 2026 für die Restmülltonne",
    "Parkgebühren in der Innenstadt",
    "Sondernutzungserlaubnis für Tische und Stühle auf dem Gehweg",
    "Darf man Plakate an Laternenmasten anbringen?",
    "Miete für den großen Saal im Bürgerhaus Lindenplatz",
    "Genehmigung einer Dienstreise und Reisekosten",
    "Datenschutz beim Versand von E-Mails mit personenbezogenen Daten",
    "Regeln für mobiles Arbeiten von zu Hause",
    "Vorläufige Haushaltsführung 2026: welche Ausgaben sind erlaubt?",
    "Energiesparen in den Dienstgebäuden im Winter",
    "Zuschuss für Vereine beantragen (Vereinsförderung)",
    "Einführung der elektronischen Akte",
    "Kosten eines Feuerwehreinsatzes",
    "Kita-Gebühren für Kinder unter drei Jahren",
    "Wie wird der Erschließungsbeitrag berechnet?",
    "Hebesatz der Grundsteuer B",
    "Wie viele Stellplätze braucht ein Mehrfamilienhaus?",
    "Taxitarif in der Gemeinde",
    "Sitzungsgeld und Entschädigung für ehrenamtlich Tätige",
    "Steuer auf Spielgeräte mit Gewinnmöglichkeit",
    "Benutzung der Feld- und Waldwege mit Fahrzeugen",
    "Pflicht zum Anbringen der Hausnummer",
    "Verwaltungsgebühr für eine Bescheinigung",
    "Förderung von Photovoltaikanlagen",
]


def percentile(ordered: list[float], q: float) -> float:
    """:returns: the nearest-rank ``q`` quantile of sorted samples (as ingest_and_query)."""
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Phase:
    """The requests of one phase of the load."""

    name: str
    latencies: list[float] = field(default_factory=list)
    """Seconds per answered request (status 200)."""
    errors: Counter[str] = field(default_factory=Counter)
    notices: Counter[str] = field(default_factory=Counter)
    fallbacks: int = 0
    seconds: float = 0.0
    client_cpu_s: float = 0.0
    """CPU time of this process (the clients) meanwhile: it shares the machine's cores."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, seconds: float, *, error: str | None = None, body: Any = None) -> None:
        with self._lock:
            if error is not None:
                self.errors[error] += 1
                return
            self.latencies.append(seconds)
            notices = body.get("notices") or []
            if notices or body.get("mode") != "hybrid":
                self.fallbacks += 1
                self.notices.update(str(notice)[:160] for notice in notices)

    @property
    def requests(self) -> int:
        return len(self.latencies) + sum(self.errors.values())

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies) or [float("nan")]
        return {
            "phase": self.name,
            "requests": self.requests,
            "p50_ms": statistics.median(ordered) * 1000,
            "p95_ms": percentile(ordered, 0.95) * 1000,
            "p99_ms": percentile(ordered, 0.99) * 1000,
            "max_ms": ordered[-1] * 1000,
            "errors": sum(self.errors.values()),
            "fallbacks": self.fallbacks,
            "req_per_s": self.requests / self.seconds if self.seconds else 0.0,
            "seconds": self.seconds,
            "client_cpu_s": self.client_cpu_s,
            "error_kinds": dict(self.errors.most_common(10)),
            "notice_kinds": dict(self.notices.most_common(5)),
        }


class Load:
    """``clients`` threads, each sending one search after the other until stopped."""

    def __init__(self, url: str, clients: int, phase: Phase, timeout: float) -> None:
        self.url, self.clients, self.phase, self.timeout = url, clients, phase, timeout
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._started = self._cpu = 0.0

    def _client(self, number: int) -> None:
        with httpx.Client(base_url=self.url, timeout=self.timeout) as http:
            turn = number  # clients start at different queries
            while not self._stop.is_set():
                query = QUERIES[turn % len(QUERIES)]
                turn += 1
                started = time.perf_counter()
                try:
                    response = http.post(
                        "/api/v1/search", json={"query": query, "mode": "hybrid", "top_k": 10}
                    )
                    body = response.json() if response.status_code == 200 else None
                except (httpx.HTTPError, ValueError) as exc:
                    self.phase.add(time.perf_counter() - started, error=type(exc).__name__)
                    continue
                elapsed = time.perf_counter() - started
                if body is None:
                    detail = response.text[:120].replace("\n", " ")
                    self.phase.add(elapsed, error=f"HTTP {response.status_code}: {detail}")
                else:
                    self.phase.add(elapsed, body=body)

    def start(self) -> Load:
        self._started = time.perf_counter()
        self._cpu = time.process_time()
        for number in range(self.clients):
            thread = threading.Thread(target=self._client, args=(number,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> Phase:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        self.phase.seconds = time.perf_counter() - self._started
        self.phase.client_cpu_s = time.process_time() - self._cpu
        return self.phase


# -- the service --------------------------------------------------------------------------


class Service:
    """``auskunft serve`` in a process group of its own (its ingest workers included)."""

    def __init__(self, data_dir: Path, port: int, log: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        self._log_file = log.open("wb")
        # as tests/service_server.serve_process, but in a new session: stopping it stops
        # its worker processes too, and its log goes to a file, never a full pipe
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ui.cli", "serve", "--port", str(port), *QUIET],
            cwd=ROOT,
            env={**os.environ, "AUSKUNFT_DATA_DIR": str(data_dir)},
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.http = httpx.Client(base_url=self.url, timeout=120)

    def __enter__(self) -> Service:
        try:
            wait_healthy(self.url, timeout=180, process=self.process)
        except RuntimeError:
            self.__exit__()
            print(self.log.read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.http.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:  # a sync still running is finished before the service ends: not waited for
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                print("the service did not stop within 20 s: killed", flush=True)
        with contextlib.suppress(ProcessLookupError):  # what is left of the group we made
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._log_file.close()

    def add_source(self, name: str, location: Path, **extra: Any) -> dict[str, Any]:
        """Register a folder source and start its sync; :returns: the sync job."""
        body = {"name": name, "kind": "folder", "location": str(location), **extra}
        response = self.http.post("/api/v1/sources", params={"sync": "true"}, json=body)
        response.raise_for_status()
        job: dict[str, Any] = response.json()["job"]
        return job

    def job(self, job_id: int) -> dict[str, Any]:
        response = self.http.get(f"/api/v1/jobs/{job_id}")
        response.raise_for_status()
        job: dict[str, Any] = response.json()
        return job

    def wait(self, job_id: int, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while not (job := self.job(job_id))["finished"]:
            if time.monotonic() > deadline:
                msg = f"job {job_id} not finished after {timeout} s: {job}"
                raise RuntimeError(msg)
            time.sleep(0.5)
        return job

    def finds(self, query: str, source: str, filename: str) -> bool:
        """:returns: whether a search within ``source`` returns the file ``filename``."""
        body = {"query": query, "mode": "hybrid", "top_k": 10, "sources": [source]}
        response = self.http.post("/api/v1/search", json=body)
        response.raise_for_status()
        return any(hit["uri"].rsplit("/", 1)[-1] == filename for hit in response.json()["results"])

    def errors_logged(self) -> list[str]:
        """:returns: the log's warnings, errors and tracebacks, one entry each."""
        lines = self.log.read_text(errors="replace").splitlines()
        found: list[str] = []
        for number, line in enumerate(lines):
            if line.startswith("Traceback"):
                tail = next((t for t in lines[number + 1 :] if t and not t[0].isspace()), "")
                found.append(f"Traceback … {tail}")
            elif " ERROR " in line or " WARNING " in line or " CRITICAL " in line:
                found.append(line)
        return found


# -- the corpus of the load phase ---------------------------------------------------------


def listing(folder: Path) -> list[Path]:
    """:returns: the files a folder source lists, in its order (the folder connector walks
    sorted, skips hidden files and, by default, ``*.json``)."""
    files = []
    for current, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and not name.endswith(".json"):
                files.append(Path(current) / name)
    return files


def choose_probe(files: list[Path]) -> tuple[Path, str]:
    """:returns: the document whose time to findable is measured, and the query for it:
    :data:`PROBE_FILE` when present, else the first PDF with a text layer (its opening
    words as the query)."""
    import pypdfium2

    for path in files:
        if path.name == PROBE_FILE:
            return path, PROBE_QUERY
    for path in files:
        if path.suffix.lower() != ".pdf":
            continue
        pdf = pypdfium2.PdfDocument(path)
        text = pdf[0].get_textpage().get_text_range()
        pdf.close()
        words = [word for word in text.split() if len(word) > 3 and word.isalpha()]
        if len(words) >= 4:
            return path, " ".join(words[:10])
    msg = "no PDF with a text layer in the corpus: nothing to measure the time to findable"
    raise SystemExit(msg)


def subset(corpus: Path, files: list[Path], probe: Path, count: int, into: Path) -> Path:
    """Copy the first ``count`` files of the listing, the probe among them, to ``into``."""
    chosen = files[:count]
    if probe not in chosen:
        chosen = [*chosen[: count - 1], probe]
    for path in chosen:
        target = into / path.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return into


# -- the run ------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout
    return {
        "cores": os.cpu_count(),
        "nproc": int(nproc.strip() or 0),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def service_settings() -> dict[str, Any]:
    settings = Settings()  # the service reads the same environment
    return {
        "ingest_workers": settings.service.ingest_workers,
        "ingest_nice": settings.service.ingest_nice,
        "ocr_workers": settings.ingest.ocr_workers,
        "search_threads": settings.service.search_threads,
        "batch_documents": settings.ingest.batch_documents,
        "embedding": f"{settings.embedding.backend} {settings.embedding.model}",
    }


def load_phase(
    service: Service, args: argparse.Namespace, corpus: Path, probe: Path, query: str
) -> dict[str, Any]:
    """The load while the corpus is synced, and the time to findable of ``probe``."""
    load = Load(service.url, args.clients, Phase("load (sync running)"), args.timeout).start()
    committed: float | None = None
    findable: float | None = None
    probes = 0
    try:
        job = service.add_source(LOAD_SOURCE, corpus)
        deadline = time.monotonic() + args.max_seconds
        while True:
            job = service.job(job["id"])
            if committed is None and job["counts"].get("indexed", 0) > 0:
                committed = time.monotonic()
            if committed is not None and findable is None:
                probes += 1
                if service.finds(query, LOAD_SOURCE, probe.name):
                    findable = time.monotonic() - committed
                elif time.monotonic() - committed > args.findable_timeout:
                    findable = float("inf")
            if job["finished"] or time.monotonic() > deadline:
                break
            time.sleep(args.poll)
    finally:
        phase = load.stop()
    if committed is not None and findable is None:  # the job ended before it was found
        while findable is None:
            probes += 1
            if service.finds(query, LOAD_SOURCE, probe.name):
                findable = time.monotonic() - committed
            elif time.monotonic() - committed > args.findable_timeout:
                findable = float("inf")
    return {
        "phase": phase,
        "job": job,
        "findable_s": findable,
        "probe": {"file": probe.name, "query": query, "searches": probes},
    }


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    data_dir, corpus = work / "data", args.corpus.resolve()
    files = listing(corpus)
    probe, query = choose_probe(files)
    if args.max_docs:
        corpus = subset(corpus, files, probe, args.max_docs, work / "corpus")
        files = listing(corpus)
        probe = corpus / probe.relative_to(args.corpus.resolve())
    position = files.index(probe)
    settings = service_settings()
    if position >= settings["batch_documents"]:
        print(
            f"note: {probe.name} is not in the first batch: the time to findable includes "
            "the wait for its own batch",
            flush=True,
        )
    report: dict[str, Any] = {
        "machine": machine(),
        "service": settings,
        "clients": args.clients,
        "duration_s": args.duration,
        "corpus": str(args.corpus),
        "documents_in_corpus": len(files),
    }
    port = args.port or free_port()
    with Service(data_dir, port, work / "service.log") as service:
        print(f"service at {service.url}, data in {data_dir}", flush=True)
        started = time.monotonic()
        base = service.add_source(BASE_SOURCE, SAMPLES, exclude=["**/personalamt/**"])
        base = service.wait(base["id"], timeout=3600)
        if base["state"] != "done":
            msg = f"the base corpus was not ingested: {base}"
            raise RuntimeError(msg)
        report["base_corpus"] = _ingestion(base, time.monotonic() - started)
        print(f"base corpus: {report['base_corpus']}", flush=True)

        warm = Load(service.url, args.clients, Phase("warm-up"), args.timeout).start()
        time.sleep(args.warmup)  # every server thread builds its search pipeline once
        warm.stop()
        print(f"baseline: {args.clients} clients for {args.duration} s", flush=True)
        baseline = Load(service.url, args.clients, Phase("baseline"), args.timeout).start()
        time.sleep(args.duration)
        report["baseline"] = baseline.stop().summary()

        print(f"load: sync of {len(files)} files from {corpus} with the same load", flush=True)
        loaded = load_phase(service, args, corpus, probe, query)
        report["load"] = loaded["phase"].summary()
        job = loaded["job"]
        report["ingestion"] = _ingestion(job, None)
        report["ingestion"]["finished"] = job["finished"]
        report["time_to_findable_s"] = loaded["findable_s"]
        report["probe"] = loaded["probe"]
        report["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
        report["service_log"] = service.errors_logged()
    base_p95, load_p95 = report["baseline"]["p95_ms"], report["load"]["p95_ms"]
    report["p95_ratio"] = load_p95 / base_p95 if base_p95 else None
    return report


def _ingestion(job: dict[str, Any], seconds: float | None) -> dict[str, Any]:
    done = job.get("report") or {}
    counts = job.get("counts") or {}
    return {
        "state": job["state"],
        "documents": done.get("seen", sum(counts.values())),
        "indexed": done.get("indexed", counts.get("indexed", 0)),
        "failed": done.get("failed", counts.get("failed", 0)),
        "pages": done.get("pages"),
        "ocr_pages": done.get("ocr_pages"),
        "chunks": done.get("chunks"),
        "seconds": done.get("seconds", seconds),
        "error": job.get("error"),
    }


# -- output -------------------------------------------------------------------------------


def _mark(value: float | None, target: float) -> str:
    return "" if value is None else ("✓" if value <= target else "✗")


def show(report: dict[str, Any]) -> None:
    columns = ["requests", "p50_ms", "p95_ms", "p99_ms", "max_ms", "errors", "fallbacks"]
    print()
    print(f"{'phase':22s}" + "".join(f"{c:>10s}" for c in [*columns, "req_per_s"]))
    for row in (report["baseline"], report["load"]):
        cells = [f"{row[c]:10.0f}" if c.endswith("_ms") else f"{row[c]:10d}" for c in columns]
        print(f"{row['phase']:22s}" + "".join(cells) + f"{row['req_per_s']:10.1f}")
    for row in (report["baseline"], report["load"]):
        share = row["client_cpu_s"] / row["seconds"] if row["seconds"] else 0.0
        print(
            f"  {row['phase']}: {row['seconds']:.1f} s, the clients used "
            f"{row['client_cpu_s']:.1f} s of CPU ({share:.2f} cores)"
        )
        for kind, number in row["error_kinds"].items():
            print(f"  {row['phase']}: {number} × {kind}")
        for kind, number in row["notice_kinds"].items():
            print(f"  {row['phase']}: {number} × notice {kind}")
    ratio = report["p95_ratio"]
    print()
    shown = "–" if ratio is None else f"{ratio:.2f}"
    print(
        f"p95 load / p95 baseline   {shown}  (target ≤ {TARGET_P95_RATIO:g} "
        f"{_mark(ratio, TARGET_P95_RATIO)})"
    )
    findable, probe = report["time_to_findable_s"], report["probe"]
    if findable is None:
        print("time to findable          – (no batch of the new source was committed)")
    else:
        print(
            f"time to findable          {findable:.2f} s after the commit was seen "
            f"(target ≤ {TARGET_FINDABLE_S:g} s {_mark(findable, TARGET_FINDABLE_S)}); "
            f"{probe['file']}, {probe['searches']} searches"
        )
    ing = report["ingestion"]
    seconds = "–" if ing["seconds"] is None else f"{ing['seconds']:.1f} s"
    print(
        f"ingestion                 {ing['documents']} documents ({ing['indexed']} indexed, "
        f"{ing['failed']} failed), {ing['pages']} pages, {ing['ocr_pages']} by OCR, "
        f"{ing['chunks']} chunks, {seconds}"
        + ("" if ing["finished"] else " (not finished: --max-seconds reached)")
    )
    base = report["base_corpus"]
    print(
        f"base corpus               {base['indexed']} documents, {base['chunks']} chunks, "
        f"{base['seconds']:.1f} s (before the baseline)"
    )
    m = report["machine"]
    print(
        f"machine                   {m['cores']} cores (nproc {m['nproc']}), load average "
        f"{m['load_average'][0]} at the start, {m['load_average_end'][0]} at the end"
    )
    s = report["service"]
    print(
        f"service                   ingest_workers {s['ingest_workers']}, nice "
        f"{s['ingest_nice']}, ocr_workers {s['ocr_workers']}, search_threads "
        f"{s['search_threads']}, batch_documents {s['batch_documents']}, {s['embedding']}; "
        f"{report['clients']} clients"
    )
    if report["service_log"]:
        print(f"service log: {len(report['service_log'])} warnings or errors, first ones:")
        for line in report["service_log"][:8]:
            print(f"  {line[:200]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="baseline seconds")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--corpus", type=Path, default=LINSENGERICHT, help="ingested under load")
    parser.add_argument("--max-docs", type=int, help="only the first N files of --corpus")
    parser.add_argument("--max-seconds", type=float, default=3600, help="cap of the load phase")
    parser.add_argument("--port", type=int, help="default: a free one")
    parser.add_argument("--keep-data", action="store_true", help="keep data dir and log")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of load not counted")
    parser.add_argument("--timeout", type=float, default=60, help="client timeout, seconds")
    parser.add_argument("--poll", type=float, default=0.25, help="job polling interval")
    parser.add_argument("--findable-timeout", type=float, default=120)
    parser.add_argument("--ingest-workers", type=int, help="service.ingest_workers")
    parser.add_argument("--ingest-nice", type=int, help="service.ingest_nice")
    parser.add_argument("--ocr-workers", type=int, help="ingest.ocr_workers")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"Corpus not found at {args.corpus} (../shared/data beside the project)")
    for option, variable in (
        ("ingest_workers", "AUSKUNFT_SERVICE__INGEST_WORKERS"),
        ("ingest_nice", "AUSKUNFT_SERVICE__INGEST_NICE"),
        ("ocr_workers", "AUSKUNFT_INGEST__OCR_WORKERS"),
    ):
        if getattr(args, option) is not None:
            os.environ[variable] = str(getattr(args, option))
    work = Path(tempfile.mkdtemp(prefix="auskunft-service-load-"))
    try:
        report = run(args, work)
    finally:
        if args.keep_data:
            print(f"kept {work} (data/, service.log)")
        else:
            shutil.rmtree(work, ignore_errors=True)
    show(report)
    out = args.json or ROOT / "benchmarks" / "results" / (
        f"service_load-{time.strftime('%Y%m%d-%H%M%S')}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
