"""An uploaded file's bytes (text, HTML, PDF parsed in a sandboxed child) into clean text,
treating every upload as hostile."""
