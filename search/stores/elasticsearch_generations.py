"""A full reindex into Elasticsearch without downtime: build a new index, swap the alias.

Searches always go through the alias ``<index>`` (see
:class:`~search.stores.elasticsearch_store.ElasticsearchKeywordStore`). A full rebuild
(``auskunft migrate``) writes into a *generation*: a store on the alias
``<index>-g<timestamp>-<random>`` with its own concrete index. When it is complete, one atomic
``_aliases`` request points ``<index>`` at the new concrete index and drops it from the
old one; then the old indexes are deleted. Searches see the old index until the swap and
the new one after it, never a half-built one.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import elasticsearch
from elasticsearch import Elasticsearch

from search.core.errors import BackendError, BackendUnavailable
from search.stores.elasticsearch_store import ElasticsearchKeywordStore


def new_generation(live: ElasticsearchKeywordStore) -> ElasticsearchKeywordStore:
    """:returns: an empty store next to ``live`` (same server, credentials and options),
    on an alias of its own, created on its first write."""
    return ElasticsearchKeywordStore(
        live.url,
        # unique even for two rebuilds in one second
        index=f"{live.index}-g{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}",
        api_key=live.api_key,
        title_boost=live.title_boost,
        snippet_chars=live.snippet_chars,
        timeout=live.timeout,
        max_retries=live.max_retries,
    )


def swap_in(live: ElasticsearchKeywordStore, generation: ElasticsearchKeywordStore) -> list[str]:
    """Point the live alias at the generation's index atomically; delete the old indexes.

    :param live: the store searches use (its alias may not exist yet).
    :param generation: a complete store from :func:`new_generation`, committed.
    :returns: the names of the deleted old indexes.
    :raises BackendUnavailable: when Elasticsearch cannot be reached.
    :raises BackendError: when the swap is refused (the live alias is left as it was).
    """
    key = live.api_key.resolve_value() if live.api_key is not None else None
    client = Elasticsearch(live.url, api_key=key, request_timeout=live.timeout)
    try:
        target = generation.concrete_index
        old = list(client.indices.get_alias(name=live.index).body) if _exists(client, live) else []
        actions: list[dict[str, Any]] = [
            {"remove": {"index": index, "alias": live.index}} for index in old
        ]
        actions.append({"add": {"index": target, "alias": live.index, "is_write_index": True}})
        actions.append({"remove": {"index": target, "alias": generation.index}})
        client.indices.update_aliases(actions=actions)
        stale = [index for index in old if index != target]
        if stale:
            client.indices.delete(index=",".join(stale), ignore_unavailable=True)
    except (elasticsearch.ConnectionError, elasticsearch.ConnectionTimeout) as exc:
        msg = f"Elasticsearch at {live.url} is unreachable (alias swap): {exc}"
        raise BackendUnavailable(msg) from exc
    except (elasticsearch.ApiError, elasticsearch.TransportError) as exc:
        msg = f"Elasticsearch at {live.url}: swapping alias {live.index!r} failed: {exc}"
        raise BackendError(msg) from exc
    else:
        return stale
    finally:
        client.close()


def _exists(client: Elasticsearch, live: ElasticsearchKeywordStore) -> bool:
    return bool(client.indices.exists_alias(name=live.index))
