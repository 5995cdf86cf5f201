"""The dialects of `_dialect.DiscordDialect`, one module each (`user_token`, `bot_reader`), and the
one way to open one (`open_dialect`, by name through `connect.pick_dialect`)."""

from ._open import DIALECTS, open_dialect

__all__ = ["DIALECTS", "open_dialect"]
