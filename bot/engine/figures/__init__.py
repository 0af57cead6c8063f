"""Every number of the corpus: parsed from sentences, labelled, grouped, indexed by topic and stored."""
