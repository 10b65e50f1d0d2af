"""Errors raised by Auskunft's library code.

Client exceptions of third-party libraries are translated once, where they are caught,
into this tree; only the CLI and the UI turn them into text for people::

    AuskunftError
    ├── ConfigurationError      settings are invalid or a required model/file is missing
    ├── BackendError            a store or service failed
    │   ├── BackendUnavailable  it cannot be reached or is locked by another process
    │   │   ├── IndexLocked     another process is writing to the index
    │   │   └── LLMUnavailable  the configured LLM is down, too slow or refused the request
    │   └── IndexMismatch       an index was built with another embedding model or schema
    ├── QueryError              a query or filter cannot be understood
    ├── NotFound                a document, source or job does not exist (or is not
    │                           visible to the caller: the same error, nothing revealed)
    ├── Refused                 the caller may not do this to this object (the four-eyes
    │   │                       rule of a case's release)
    │   └── Conflict            not possible in the object's current state (editing a
    │                           case under review, releasing a draft, a stale version)
    ├── SourceError             a source cannot be listed or checked: the sync stops,
    │   │                       nothing is deleted, the cursor stays
    │   ├── SourceUnavailable   it cannot be reached or read (network, HTTP 5xx, timeout,
    │   │                       an unmounted share)
    │   └── SourceInvalid       it answers, but not as its kind of source
    └── DocumentError           one document cannot be ingested (the batch goes on)
        ├── UnsupportedFormat
        ├── CorruptDocument
        ├── EncryptedDocument
        ├── EmptyDocument
        └── DocumentTooLarge
"""


class AuskunftError(Exception):
    """Base class of every error Auskunft raises on purpose."""


class ConfigurationError(AuskunftError):
    """Settings are invalid, or a model or file they name is missing."""


class BackendError(AuskunftError):
    """A keyword store, vector store, embedder or LLM failed."""


class BackendUnavailable(BackendError):
    """A backend cannot be reached, or another process holds its lock."""


class IndexLocked(BackendUnavailable):
    """Another process holds the write lock of the data directory."""


class LLMUnavailable(BackendUnavailable):
    """The configured LLM cannot be reached, is too slow, or answered with an error."""


class IndexMismatch(BackendError):
    """An existing index does not fit the current settings (e.g. vector size)."""


class QueryError(AuskunftError):
    """A query or filter cannot be understood."""


class NotFound(AuskunftError):
    """A document, source or job does not exist, or the caller may not see it."""


class Refused(AuskunftError):
    """The caller may not do this to this object (e.g. release a case they created).

    :param message: what was refused (English, for logs).
    :param reason: a stable key the API says in German (``four_eyes_creator`` …).
    :param details: values the API's text names (a user, a question number).
    """

    def __init__(self, message: str, reason: str, **details: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.details = details


class Conflict(Refused):
    """Not possible in the object's current state (a released case cannot change)."""


class SourceError(AuskunftError):
    """A source cannot be listed or checked; the sync stops and deletes nothing."""


class SourceUnavailable(SourceError):
    """A source cannot be reached or read right now (network, server error, timeout)."""


class SourceInvalid(SourceError):
    """A source answers, but not as its kind of source (not OParl, not a sitemap, …)."""


class DocumentError(AuskunftError):
    """One document cannot be ingested; it is recorded as failed with this reason."""

    reason: str = "error"


class UnsupportedFormat(DocumentError):
    reason = "unsupported"


class CorruptDocument(DocumentError):
    reason = "corrupt"


class EncryptedDocument(DocumentError):
    reason = "encrypted"


class EmptyDocument(DocumentError):
    reason = "empty"


class DocumentTooLarge(DocumentError):
    reason = "too_large"
