"""Syncing sources into the index: the rules, the runner, queue workers, scheduler, migration."""
