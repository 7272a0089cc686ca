"""Scoring: answer keys, one scorer per item kind, and what goes to manual review."""
