"""Ingestion: parse, structure, chunk, embed, write; the catalog of what is indexed."""

import search  # noqa: F401  (switches off network side channels before anything is imported)
