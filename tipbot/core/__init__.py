"""The replica's infrastructure: transport (and, after the restructuring, config, db, logs...)."""
