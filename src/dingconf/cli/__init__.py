"""The ``dingconf`` command: serve, and provision organisations, users and apps.

Each module holds one area's commands; this one gathers them under ``main``.
"""

import click

from dingconf.cli import apps, events, orgs, serve, state
from dingconf.runtime import OneLineErrors

__all__ = ["main"]


@click.group(
    cls=OneLineErrors,
    context_settings={"help_option_names": ["-h", "--help"], "show_default": True},
)
@click.version_option(package_name="dingconf")
def main() -> None:
    """dingconf: DingTalk's video-conference open API, self-hosted.

    Every command's database defaults to a SQLite file in the user data
    directory ($DINGCONF_DATA_DIR, else $XDG_DATA_HOME/dingconf or
    ~/.local/share/dingconf), whatever the current directory.
    """


for _command in (
    serve.serve,
    state.seed,
    orgs.orgs,
    orgs.users,
    apps.apps,
    events.events,
    state.reset,
    state.export,
    state.import_,
):
    main.add_command(_command)
