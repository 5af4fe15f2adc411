"""Static pages dingconf serves (HTML, CSS, JavaScript): data files, no Python code."""
