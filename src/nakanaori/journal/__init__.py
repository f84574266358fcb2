"""The journal: one service for the web app and the LINE bot (cases, messages, promises, steps, export,
forgetting a user). See :mod:`nakanaori.journal.service`."""

from .service import MAX_ID, TOKYO, Journal, NotFound, forget_users, today_tokyo

__all__ = ["MAX_ID", "TOKYO", "Journal", "NotFound", "forget_users", "today_tokyo"]
