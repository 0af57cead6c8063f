"""The documents the bot serves: reading the folder (decoding, front matter, sidecars), the live
store, and what changed between two versions of the corpus."""
