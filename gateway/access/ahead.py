"""Look-ups asked for ahead of the fields that need them, within the caller's scope."""

from __future__ import annotations

from gateway.access.policy import Access, access
from gateway.access.scope import ScopedReads
from schema import Named


class ScopedAhead(ScopedReads):
    async def identify_ahead(self, named: list[Named]) -> None:
        """Only for relations the caller may follow, and only where `identify` would ask the
        registry at all: never a call the fields themselves would not make."""
        if not self._may_see_people():
            return
        role = self.principal.role
        allowed = [n for n in named if access(role, n[0]) is not Access.DENIED]
        if allowed:
            await super().identify_ahead(allowed)
