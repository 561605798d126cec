"""The archive store: archive.db schema, raw body encoding and capture writing."""
