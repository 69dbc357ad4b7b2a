"""The urban-management and grid system (数字城管): SOAP 1.1, GBK, stateful login."""

from .app import PASSWORD, USERNAME, create_urban_app
from .contract import BATCH_CAP, ENDPOINT_PATH, NAMESPACE, PAGE_SIZE_CAP

__all__ = [
    "BATCH_CAP",
    "ENDPOINT_PATH",
    "NAMESPACE",
    "PAGE_SIZE_CAP",
    "PASSWORD",
    "USERNAME",
    "create_urban_app",
]
