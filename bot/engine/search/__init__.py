"""Finding passages: the index interface, rank-bm25 in memory, tantivy on disk, and choosing one."""
