"""One cog per concern: ``ask`` (the /ask command and mentions), ``info`` (/sources, /help)."""
