"""The core every package may import: settings, errors, field names, source options.

It imports nothing of ours (an import contract checks it)."""
