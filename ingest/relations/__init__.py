"""Relations between documents read from their text: references, amendments, validity."""
