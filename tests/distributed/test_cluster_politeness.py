"""Cluster-wide politeness: two workers' reservations on one host are spaced by the site's delay."""

from __future__ import annotations

import redis

from crawler.distributed.politeness import ClusterPolitenessMiddleware


def test_reservations_from_two_workers_share_one_schedule_per_host(redis_url: str) -> None:
    server = redis.Redis.from_url(redis_url)
    a = ClusterPolitenessMiddleware(redis.Redis.from_url(redis_url), delay=0.5)
    b = ClusterPolitenessMiddleware(redis.Redis.from_url(redis_url), delay=0.5)
    starts = []
    for worker in (a, b, a, b, a):
        seconds, micros = server.time()
        starts.append(seconds + micros / 1e6 + worker.reserve("http://127.0.0.1:8000/list/index.html"))
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    assert all(abs(gap - 0.5) < 0.05 for gap in gaps), gaps
    # Another host has its own schedule: no wait.
    assert a.reserve("http://127.0.0.1:9000/") == 0.0
