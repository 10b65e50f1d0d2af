"""Retrieval: keyword and vector retrievers, rank fusion, grouping into documents, facets
and snippets."""
