"""From candidates to an answer: scoring and abstention, the MiniLM encoder and the answer reader."""
