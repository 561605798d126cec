"""Simulated site archetypes and the HTTP plumbing that serves them."""
