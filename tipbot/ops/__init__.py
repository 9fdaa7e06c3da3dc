"""Operations: health, metrics, staff tools (stats, broadcast, reload) as plain services."""
