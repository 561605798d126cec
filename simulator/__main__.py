"""`python -m simulator`: serve every simulated site on 127.0.0.1 until Ctrl-C, printing each site's URL."""

from __future__ import annotations

import argparse
import signal
import threading

from simulator.sites.world import SimulatedSites


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument(
        "--port-base", type=int, default=None, help="First port (sites use consecutive ports)."
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-faults", action="store_true", help="Leave out the faults site and the WAF challenge."
    )
    parser.add_argument("--timeout-delay", type=float, default=12.0, help="Seconds the timeout fault sleeps.")
    parser.add_argument(
        "--image-tables", action="store_true", help="Also serve the imgtables site (a table as an <img>)."
    )
    parser.add_argument("--registry", default=None, help="Also write a sites.yml pointing at the sites here.")
    args = parser.parse_args(argv)

    sims = SimulatedSites(
        faults=not args.no_faults,
        seed=args.seed,
        port_base=args.port_base,
        timeout_delay=args.timeout_delay,
        image_tables=args.image_tables,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with sims:
        for info in sims.sites.values():
            print(
                f"{info.id:10} {info.kind:8} {info.base_url}/  ({info.name}, imitates {info.pretends})",
                flush=True,
            )
        if args.registry:
            print(f"registry written to {sims.write_registry(args.registry)}", flush=True)
        print("serving; Ctrl-C to stop", flush=True)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
