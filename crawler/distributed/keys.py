"""Redis key names shared by distributed crawlers and the single archive writer."""

from __future__ import annotations

PREFIX = "nianbao"

# Archive ops pushed by crawlers (RedisSink) and consumed by the writer (`nianbao ingest`).
OPS = f"{PREFIX}:ops"
OPS_PROCESSING = f"{PREFIX}:ops:processing"
WRITER_LOCK = f"{PREFIX}:writer"

# Incremental state published by the writer for crawlers that have no archive.db.
DOCUMENTS = f"{PREFIX}:documents"  # hash: document url -> JSON {etag, last_modified, next_check, ...}

# Frontier, per spider name (scrapy-redis fills in %(spider)s).
QUEUE = f"{PREFIX}:%(spider)s:requests"
DUPEFILTER = f"{PREFIX}:%(spider)s:dupefilter"


def frontier(spider: str) -> dict[str, str]:
    """Every coordination key of one spider's shared frontier."""
    base = f"{PREFIX}:{spider}"
    return {
        "queue": QUEUE % {"spider": spider},
        "dupefilter": DUPEFILTER % {"spider": spider},
        "workers": f"{base}:workers",  # sorted set: worker id -> last heartbeat (Redis server time)
        "inflight_index": f"{base}:inflight-workers",  # set of worker ids that hold in-flight requests
        "inflight_prefix": f"{base}:inflight:",  # + worker id: hash of requests popped, not yet done
        "pass": f"{base}:pass",  # counter: crawl passes started
        "busy": f"{base}:busy",  # set of worker ids not idle yet (starting up, or working since last idle)
        "reclaimed": f"{base}:reclaimed",  # counter: requests taken back from dead workers (all time)
    }
