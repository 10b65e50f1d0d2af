"""The pages of the interface; each module has a ``render()``."""
