"""The document pipeline: parse → structure → chunk → embed, and what it infers on the way."""
