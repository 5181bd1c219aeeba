"""Upstream indexes: pages and files of names that are not local, fetched, checked and cached."""
