"""Text into units: sentences, citable passages, search tokens and stopwords."""
