"""The lifespan the raw reference apps share: open their pool (if any), then wait to stop."""

from typing import Any


async def serve_lifespan(pool: Any, receive: Any, send: Any) -> None:
    """Answer ASGI lifespan messages, opening ``pool`` (None: no pool) at start-up."""
    while (await receive())["type"] != "lifespan.shutdown":
        if pool is not None:
            await pool.open(wait=True)
        await send({"type": "lifespan.startup.complete"})
    await send({"type": "lifespan.shutdown.complete"})
