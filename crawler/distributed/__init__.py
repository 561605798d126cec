"""Distributed crawling: many crawler processes share one Redis frontier; one writer owns archive.db."""
