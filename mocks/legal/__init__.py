"""The legal-aid and mediation system (法律援助 / 人民调解): OAuth REST with a rate limit."""

from .app import API, CLIENT_ID, CLIENT_SECRET, PAGE_LIMIT_CAP, create_legal_app

__all__ = ["API", "CLIENT_ID", "CLIENT_SECRET", "PAGE_LIMIT_CAP", "create_legal_app"]
