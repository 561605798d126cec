"""Simulated government sites (TRS, Hanweb, UCAP, gkmlpt, faults) on 127.0.0.1 for offline crawler tests."""

from __future__ import annotations

from simulator.sites.base import SiteInfo
from simulator.sites.server import RequestRecord
from simulator.sites.world import SimulatedSites

__all__ = ["RequestRecord", "SimulatedSites", "SiteInfo"]
