"""What is said in a meeting: utterances and the spans that record it."""
