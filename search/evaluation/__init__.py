"""Evaluation: retrieval metrics on BEIR sets, the fusion replay, the answer benchmark and
the verifier's labelled set. Indexing a set is ingestion's job (:mod:`ingest.evaluation`)."""
