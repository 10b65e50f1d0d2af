"""A queue worker's writes through the service that owns the embedded index.

Embedded stores have one writer. With a service running (``service.url``), queue
workers on any machine fetch, parse, chunk and embed on their own and hand the prepared
documents to the service (``POST /api/v1/index/documents``, removals to
``/api/v1/index/removals``), which writes them on its writer thread with the catalog
protocol of every write. The worker authenticates with an admin API key
(``service.api_key_env``, default ``$AUSKUNFT_API_KEY``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import httpx

from ingest.sync.runner import PreparedDocument
from search.core.errors import BackendError, BackendUnavailable
from search.core.settings import Settings


class ServiceWriter:
    """Sends a worker's writes to the service.

    :param settings: the settings (``service.url`` set).
    """

    def __init__(self, settings: Settings) -> None:
        service = settings.service
        assert service.url is not None  # for mypy: callers check ``service.url``
        self.url = service.url.rstrip("/")
        key = os.environ.get(service.api_key_env) if service.api_key_env else None
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._client = httpx.Client(
            base_url=f"{self.url}/api/v1",
            headers=headers,
            timeout=service.client_timeout_seconds,
            trust_env=False,  # only the host the admin configured
        )

    def close(self) -> None:
        self._client.close()

    def write(self, prepared: Sequence[PreparedDocument]) -> dict[str, Any]:
        """Write prepared documents (those marked gone are removed).

        :returns: the service's report of the write.
        :raises BackendUnavailable: when the service cannot be reached (the job is retried).
        :raises BackendError: when it refused or failed the write.
        """
        return self._post("/index/documents", {"documents": [p.to_wire() for p in prepared]})

    def remove(self, doc_ids: Sequence[str]) -> int:
        """Remove documents from the index.

        :returns: how many the service removed.
        :raises BackendUnavailable: when the service cannot be reached.
        :raises BackendError: when it refused or failed the removal.
        """
        if not doc_ids:
            return 0
        return int(self._post("/index/removals", {"doc_ids": list(doc_ids)})["removed"])

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._client.post(path, json=body)
        except httpx.TransportError as exc:
            msg = f"The service at {self.url} cannot be reached: {exc}"
            raise BackendUnavailable(msg) from exc
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail")
            except ValueError:
                detail = response.text[:300]
            status = response.status_code
            msg = f"The service at {self.url} refused the write (HTTP {status}): {detail}"
            raise BackendError(msg)
        result: dict[str, Any] = response.json()
        return result
