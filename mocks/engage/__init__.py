"""The residents' engagement platform (a mini-program backend): volunteering and points,
micro-wishes, deliberation; WeChat-style tokens and errcodes."""

from .app import APP_ID, APP_SECRET, Quota, create_engage_app

__all__ = ["APP_ID", "APP_SECRET", "Quota", "create_engage_app"]
