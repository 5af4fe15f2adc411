"""Allow ``python -m dingconf``."""

from dingconf.cli import main

main()
