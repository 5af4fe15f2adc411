"""Meeting minutes (AI minutes): takes, text, audio, summaries."""
