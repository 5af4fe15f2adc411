"""The ``dingconf`` command's entry point (also ``python -m dingconf``).

It imports the command inside its guard: a Ctrl-C while the (heavy) imports
run is then the same one line as one later in start-up, never a traceback.
"""

import sys

__all__ = ["main"]


def main() -> None:
    """Run the ``dingconf`` command; an interrupt is one line and exit status 1."""
    try:
        from dingconf.cli import main as command

        command()
    except KeyboardInterrupt:
        # The blank line closes the terminal's ``^C`` echo, as click's does.
        sys.stderr.write("\nAborted.\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
