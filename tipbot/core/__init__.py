"""Shared infrastructure every area builds on: config, database, clock, transport, sending,
content."""
