"""`nianbao demo`: the pipeline offline — simulated sites on 127.0.0.1, crawl, normalize, serve."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def run_demo(db_path: str, *, port: int, serve: bool, echo: Callable[[str], None] = print) -> None:
    """Build (or refresh) the demo archive from the simulator, then serve it with Datasette."""
    from crawler.crawl.runner import run_crawl
    from crawler.normalize import rebuild
    from simulator import SimulatedSites

    registry = Path(db_path).with_suffix(".sites.yml")
    with SimulatedSites(faults=False) as sim:
        sim.write_registry(registry)
        for site in sim.sites.values():
            echo(f"demo: simulated site {site.id} at {site.base_url}")
        crawl = run_crawl(str(registry), db_path, site_ids=None, redis_url=None)
        echo(crawl.line())
    echo(rebuild(db_path, progress=True).line())
    if serve:
        from crawler.serve import serve as run_datasette

        echo(f"demo: Datasette on http://127.0.0.1:{port}/ (Ctrl-C to stop)")
        run_datasette(db_path, port=port, host="127.0.0.1")
