"""A scrapy-redis scheduler that loses no request when a crawler process is killed mid-run.

scrapy-redis pops a request from the shared queue destructively, and its dupefilter then stops anyone from
scheduling that URL again: a SIGKILLed worker would take its in-flight requests with it. This subclass pops
atomically into a per-worker *in-flight* hash (one Lua script), workers heartbeat into a sorted set, and the
in-flight requests of a worker whose heartbeat expired are pushed back onto the queue by whoever notices.
A request is done when every output of its callback has been handled (see `middleware.InflightDoneMiddleware`);
an idle worker holds nothing in flight, so it simply clears its own hash.

Every worker runs every site's start requests; they go through the shared dupefilter too, so a pass is seeded
once whatever the number of workers.

Passes: a worker that starts when no other worker is alive begins a new pass — it clears the dupefilter (the
seeds of tonight's pass must not be filtered by last night's) but keeps whatever the previous pass left
queued or in flight (dead workers' requests are reclaimed onto the queue), so after a crash of every worker
nothing is lost: leftovers are fetched, and a URL both left over and rediscovered is merely fetched twice
(captures deduplicate on url + sha256). A worker that starts while others are alive joins their pass.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.scheduler import Scheduler

from crawler.distributed.keys import frontier

logger = logging.getLogger(__name__)

INFLIGHT_META = "nianbao_inflight"  # request.meta: (hash key, field) of the in-flight entry

_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
local id = redis.sha1hex(r[1])
redis.call('HSET', KEYS[2], id, r[1], 's:' .. id, r[2])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
return {id, r[1]}
"""

_EXPIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
"""

# KEYS: workers, inflight index, queue, reclaimed counter, busy set; ARGV: ttl, inflight hash prefix.
# Returns how many requests it pushed back.
_RECLAIM = (
    _EXPIRE
    + """
local moved = 0
for _, w in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if not redis.call('ZSCORE', KEYS[1], w) then
    local h = ARGV[2] .. w
    local all = redis.call('HGETALL', h)
    for i = 1, #all, 2 do
      local f = all[i]
      if string.sub(f, 1, 2) ~= 's:' then
        local score = redis.call('HGET', h, 's:' .. f) or '0'
        redis.call('ZADD', KEYS[3], score, all[i + 1])
        moved = moved + 1
      end
    end
    redis.call('DEL', h)
    redis.call('SREM', KEYS[2], w)
  end
end
if moved > 0 then redis.call('INCRBY', KEYS[4], moved) end
for _, w in ipairs(redis.call('SMEMBERS', KEYS[5])) do
  if not redis.call('ZSCORE', KEYS[1], w) then redis.call('SREM', KEYS[5], w) end
end
return moved
"""
)

# KEYS: workers, dupefilter, pass; ARGV: ttl, worker id. Returns {pass, new?}.
_JOIN = (
    _EXPIRE
    + """
local fresh = 0
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[2])
  redis.call('INCR', KEYS[3])
  fresh = 1
end
redis.call('ZADD', KEYS[1], now, ARGV[2])
return {tonumber(redis.call('GET', KEYS[3]) or '0'), fresh}
"""
)


class Heartbeat(threading.Thread):
    """Beats from a thread of its own: a callback holding the reactor (a huge page, a slow decode on a loaded
    machine) must not make a live worker look dead — its peers would take back requests it is still working
    on and might leave the pass while it goes on alone."""

    def __init__(self, beat: Callable[[], None], interval: float) -> None:
        super().__init__(name="nianbao-heartbeat", daemon=True)
        self._beat, self._interval, self._stopped = beat, interval, threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(self._interval):
            try:
                self._beat()
            except Exception as exc:  # a Redis hiccup: the next beat may get through
                logger.warning("distributed: heartbeat failed: %s: %s", type(exc).__name__, exc)

    def stop(self) -> None:
        self._stopped.set()


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class ReliableScheduler(Scheduler):
    """scrapy_redis Scheduler + RFPDupeFilter with in-flight tracking, heartbeats and reclaiming."""

    def __init__(self, server: Any, **kwargs: Any) -> None:
        self.heartbeat_ttl: float = kwargs.pop("heartbeat_ttl", 10.0)
        self.max_idle: float = kwargs.pop("max_idle", 30.0)
        super().__init__(server, **kwargs)
        self.worker = worker_id()
        self.keys: dict[str, str] = {}
        self.pass_number = 0
        self._idle_since: float | None = None
        self._others_seen: frozenset[str] = frozenset()
        self._beat: Heartbeat | None = None
        self._pop = server.register_script(_POP)
        self._reclaim = server.register_script(_RECLAIM)
        self._join = server.register_script(_JOIN)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReliableScheduler:
        settings = crawler.settings
        instance = cls.from_settings(settings)
        instance.heartbeat_ttl = settings.getfloat("NIANBAO_HEARTBEAT_TTL", 10.0)
        instance.max_idle = settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE", 30.0)
        instance.stats = crawler.stats
        crawler.signals.connect(instance.on_idle, signal=signals.spider_idle)
        return instance

    @property
    def inflight_key(self) -> str:
        return self.keys["inflight_prefix"] + self.worker

    def open(self, spider: Spider) -> None:
        self.keys = frontier(spider.name)
        joined = self._join(
            keys=[self.keys["workers"], self.keys["dupefilter"], self.keys["pass"]],
            args=[self.heartbeat_ttl, self.worker],
        )
        self.pass_number, fresh = int(joined[0]), int(joined[1])
        # Busy until its engine first goes idle: its start requests may still be on their way to the queue.
        self.server.sadd(self.keys["busy"], self.worker)
        super().open(spider)
        moved = self.reclaim()
        spider.logger.info(
            "distributed: worker %s %s pass %d (%d queued, %d reclaimed)",
            self.worker,
            "started" if fresh else "joined",
            self.pass_number,
            len(self.queue),
            moved,
        )
        self._beat = Heartbeat(self.heartbeat, max(self.heartbeat_ttl / 4, 0.5))
        self._beat.start()

    def close(self, reason: str) -> None:
        if self._beat is not None:
            self._beat.stop()
        if reason == "finished":  # everything popped was processed
            self._clear_inflight()
        self.server.zrem(self.keys["workers"], self.worker)
        self.server.srem(self.keys["busy"], self.worker)
        # SCHEDULER_PERSIST is required with several workers: one finishing must not flush the others' queue.
        if not self.persist:
            self.flush()

    def heartbeat(self) -> None:
        now = self.server.time()
        self.server.zadd(self.keys["workers"], {self.worker: now[0] + now[1] / 1e6})

    def reclaim(self) -> int:
        """Push the in-flight requests of workers whose heartbeat expired back onto the queue."""
        keys = self.keys
        moved = int(
            self._reclaim(
                keys=[
                    keys["workers"],
                    keys["inflight_index"],
                    keys["queue"],
                    keys["reclaimed"],
                    keys["busy"],
                ],
                args=[self.heartbeat_ttl, keys["inflight_prefix"]],
            )
        )
        if moved and self.stats:
            self.stats.inc_value("distributed/reclaimed", moved)
        return moved

    def enqueue_request(self, request: Request) -> bool:
        # Start requests (dont_filter seeds: robots-free listing page 0, unit directories, revalidations) go
        # through the pass's dupefilter too, so N workers seed a pass once, not N times.
        check = not request.dont_filter or request.meta.get("is_start_request", False)
        if check and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        popped = self._pop(
            keys=[self.keys["queue"], self.inflight_key, self.keys["inflight_index"], self.keys["busy"]],
            args=[self.worker],
        )
        if not popped:
            return None
        field, data = popped
        field = field.decode() if isinstance(field, bytes) else field
        request = self.queue._decode_request(data)
        request.meta[INFLIGHT_META] = (self.inflight_key, field)
        self._idle_since = None
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def _clear_inflight(self) -> None:
        pipe = self.server.pipeline()
        pipe.delete(self.inflight_key)
        pipe.srem(self.keys["inflight_index"], self.worker)
        pipe.execute()

    def _others_work(self) -> frozenset[str]:
        """What the other live workers have in progress: each busy worker (starting or downloading) and each
        in-flight request it holds. Empty when they are all idle."""
        members = self.server.zrange(self.keys["workers"], 0, -1)
        live = {w.decode() if isinstance(w, bytes) else w for w in members} - {self.worker}
        busy = {w.decode() if isinstance(w, bytes) else w for w in self.server.smembers(self.keys["busy"])}
        prefix = self.keys["inflight_prefix"]
        work = {f"busy:{w}" for w in live & busy}
        for w in live:
            work.update(
                f"{w}:{f.decode() if isinstance(f, bytes) else f}" for f in self.server.hkeys(prefix + w)
            )
        return frozenset(work)

    def on_idle(self, spider: Spider) -> None:
        """Close only when the whole pass is done, or when the other workers have made no progress for
        MAX_IDLE_TIME_BEFORE_CLOSE (a live but stuck peer).

        The wait is counted from the others' last visible progress, not from when this worker went idle: a
        peer killed after a long busy stretch still holds requests in flight until its heartbeat expires,
        and closing then would leave them to be reclaimed by the next pass (fetched again without the
        validators this pass learned)."""
        self.heartbeat()
        self._clear_inflight()  # an idle engine has nothing in progress
        self.server.srem(self.keys["busy"], self.worker)
        self.reclaim()
        if len(self.queue):
            self._idle_since = None
            raise DontCloseSpider
        work = self._others_work()
        if not work:
            return
        now = time.monotonic()
        if work != self._others_seen or self._idle_since is None:
            self._others_seen, self._idle_since = work, now
        # never give up on a peer before its heartbeat could have expired and its requests come back
        if now - self._idle_since < max(self.max_idle, 2 * self.heartbeat_ttl):
            raise DontCloseSpider
