"""ReliableScheduler without a Scrapy engine: in-flight requests of a dead worker come back; passes restart."""

from __future__ import annotations

import time
from typing import Any

import pytest
import redis
from scrapy import Request, Spider
from scrapy.settings import Settings

import crawler.distributed.scheduler as scheduler_module
from crawler.distributed.scheduler import ReliableScheduler
from crawler.distributed.settings import redis_settings

# scrapy-redis itself logs "Resuming crawl" through the deprecated Spider.log().
pytestmark = pytest.mark.filterwarnings("ignore:Spider.log\\(\\) is deprecated")


class _NoBeat:
    """Stands in for the heartbeat thread: these tests beat by hand, and a "killed" worker beats no more."""

    def __init__(self, *args: Any) -> None:
        return None

    def start(self) -> None:
        return None

    def stop(self) -> None:
        return None


class _Spider(Spider):
    name = "trs:test"

    def parse(self, response: Any) -> None:
        return None


def _spider(url: str) -> _Spider:
    spider = _Spider()
    spider.settings = Settings(redis_settings(url))  # what the crawler would give it
    return spider


def _scheduler(url: str) -> ReliableScheduler:
    scheduler = ReliableScheduler.from_settings(Settings(redis_settings(url)))
    scheduler.heartbeat_ttl = 0.5
    return scheduler


def _request(n: int) -> Request:
    return Request(f"http://127.0.0.1:9/{n}.html")


@pytest.fixture(autouse=True)
def _beat_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scheduler_module, "Heartbeat", _NoBeat)


def test_a_crashed_workers_requests_are_reclaimed_and_the_next_start_begins_a_pass(redis_url: str) -> None:
    server = redis.Redis.from_url(redis_url)
    spider = _spider(redis_url)
    first = _scheduler(redis_url)
    first.open(spider)
    for n in range(3):
        assert first.enqueue_request(_request(n))
    assert not first.enqueue_request(_request(0)), "the pass dupefilter lets a URL in twice"
    popped = first.next_request()
    assert popped is not None and server.hlen(first.inflight_key) == 2  # the request + its score
    # SIGKILL: no close(), no more heartbeats. A live peer reclaims once the heartbeat has expired.
    peer = _scheduler(redis_url)
    peer.open(_spider(redis_url))
    assert peer.pass_number == first.pass_number  # joined: a worker was alive
    deadline = time.monotonic() + 10
    while not peer.reclaim():
        assert time.monotonic() < deadline, "the dead worker's request was never reclaimed"
        peer.heartbeat()
        time.sleep(0.1)
    assert len(peer.queue) == 3 and server.hlen(first.inflight_key) == 0
    assert peer.next_request().url == popped.url  # highest priority first: the reclaimed one is back

    # Every worker gone (the peer is killed too): the next worker starts a new pass, keeping the leftovers.
    time.sleep(0.6)
    later = _scheduler(redis_url)
    later.open(_spider(redis_url))
    assert later.pass_number == first.pass_number + 1
    deadline = time.monotonic() + 10
    while len(later.queue) < 3:  # 2 left queued + the peer's in-flight one
        assert time.monotonic() < deadline, "leftovers of the dead pass were lost"
        later.reclaim()
        time.sleep(0.1)
    assert later.enqueue_request(_request(7)) and later.enqueue_request(Request("http://127.0.0.1:9/x"))
    later.close("finished")


def test_an_idle_worker_outwaits_a_busy_peer_killed_late_and_takes_over_its_requests(redis_url: str) -> None:
    """The idle timer runs from the peer's last progress: a worker idle for longer than MAX_IDLE while its peer
    works must not close the moment that peer is killed — it waits for the heartbeat to expire and reclaims
    the killed peer's in-flight requests in this pass (leaving them to the next pass means fetching them
    again without validators)."""
    from scrapy.exceptions import DontCloseSpider

    server = redis.Redis.from_url(redis_url)
    spider = _spider(redis_url)
    busy = _scheduler(redis_url)
    busy.open(spider)
    idle = _scheduler(redis_url)
    idle.open(_spider(redis_url))
    idle.max_idle = 0.3
    for n in range(2):
        assert busy.enqueue_request(_request(n))
    held = busy.next_request()
    assert held is not None
    with pytest.raises(DontCloseSpider):
        idle.on_idle(spider)  # the queue holds request 1: not done
    first_idle = time.monotonic()
    assert busy.next_request() is not None  # the peer takes the last one; the queue is empty
    # The peer keeps working (new requests in flight, heartbeats) for longer than MAX_IDLE…
    for n in range(2, 6):
        busy.heartbeat()
        assert busy.enqueue_request(_request(n))
        assert busy.next_request() is not None
        with pytest.raises(DontCloseSpider):
            idle.on_idle(spider)
        time.sleep(0.1)
    assert time.monotonic() - first_idle > idle.max_idle
    # …and is SIGKILLed while holding 6 requests. The idle worker must stay until it has them back.
    assert server.hlen(busy.inflight_key) == 2 * 6
    deadline = time.monotonic() + 10
    while not len(idle.queue):
        assert time.monotonic() < deadline, "the killed peer's requests were never reclaimed"
        with pytest.raises(DontCloseSpider):  # old behaviour: closed here, leaving them to the next pass
            idle.on_idle(spider)
        time.sleep(0.05)
    assert len(idle.queue) == 6 and server.hlen(busy.inflight_key) == 0
    idle.close("finished")


def test_a_worker_whose_reactor_is_held_by_a_long_callback_stays_alive(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The heartbeat runs in a thread of its own: a CPU-bound callback longer than the TTL (here a busy loop
    in the main thread) must not get the worker's in-flight requests taken back by a peer."""
    monkeypatch.undo()  # the real heartbeat thread for this test (the autouse fixture's stand-in removed)
    server = redis.Redis.from_url(redis_url)
    busy = _scheduler(redis_url)
    busy.open(_spider(redis_url))
    assert busy.enqueue_request(_request(1)) and busy.next_request() is not None
    peer = _scheduler(redis_url)
    peer.open(_spider(redis_url))
    deadline = time.monotonic() + 4 * busy.heartbeat_ttl
    while time.monotonic() < deadline:  # the reactor thread never yields
        sum(range(10_000))
    assert peer.reclaim() == 0, "a live worker's in-flight request was taken back"
    assert server.hlen(busy.inflight_key) == 2
    busy.close("finished")
    peer.close("finished")
