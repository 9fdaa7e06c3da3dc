"""Shared infrastructure every area builds on: config, database, clock, sending, content."""
