"""The civil-affairs resident registry behind a signed JSON gateway (民政)."""

from .app import API_PREFIX, APP_KEY, SECRET, create_civil_app, sign
from .service import BATCH_CAP, PAGE_SIZE_CAP

__all__ = [
    "API_PREFIX",
    "APP_KEY",
    "BATCH_CAP",
    "PAGE_SIZE_CAP",
    "SECRET",
    "create_civil_app",
    "sign",
]
