"""Building an engine's data once: per-document analyses, their cache files, work on every core, the passage table."""
