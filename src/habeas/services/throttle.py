"""Failed sign-ins, slowed down per login and per address, never a lock (issue 23).

A stranger who knows a login could once lock its user out by sending wrong tokens. Now a
login's failures only delay the next attempt on it (exponentially, up to `LOGIN_DELAY_MAX`:
the right token still gets in, a little later), while an address that keeps failing is
refused outright for a while (`ADDRESS_WAIT_MAX`): that stops a guesser, and only them. An
unknown login counts like a known one, so the delays tell no one which logins exist.

Kept in this process's memory (bounded, the oldest forgotten first); the database keeps a
count per user (`users.failures`), not a record per attempt. The CLI, one process per
command, waits by that count (`delay_after`).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

FREE_FAILURES = 3  # failures in a row before the next attempt is slowed down
LOGIN_DELAY_MAX = 10.0  # seconds: what a stranger can cost a user, at most, per attempt
ADDRESS_WAIT_MAX = timedelta(minutes=15)
REMEMBERED = 100_000  # logins and addresses kept, each; the oldest are forgotten first


def delay_after(failures: int, ceiling: float = LOGIN_DELAY_MAX) -> float:
    """Seconds to wait before the next attempt after `failures` failures in a row."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(2.0 ** (failures - FREE_FAILURES), ceiling)


@dataclass
class _Count:
    failures: int
    last: datetime


class Throttle:
    """What the API and the web UI ask before checking a token, and tell after."""

    def __init__(self) -> None:
        self._logins: OrderedDict[str, _Count] = OrderedDict()
        self._addresses: OrderedDict[str, _Count] = OrderedDict()

    def address_wait(self, address: str | None, now: datetime) -> float:
        """Seconds before this address may try again (0: now)."""
        count = self._addresses.get(address or "")
        if count is None:
            return 0.0
        wait = delay_after(count.failures, ADDRESS_WAIT_MAX.total_seconds())
        return max(0.0, (count.last + timedelta(seconds=wait) - now).total_seconds())

    def login_delay(self, login: str, now: datetime) -> float:
        """Seconds to hold this attempt before its token is checked (never a refusal)."""
        count = self._logins.get(login)
        if count is None or now - count.last > ADDRESS_WAIT_MAX:
            return 0.0
        return delay_after(count.failures)

    def failed(self, login: str, address: str | None, now: datetime) -> None:
        for table, key in ((self._logins, login), (self._addresses, address or "")):
            count = table.pop(key, None)
            fresh = count is None or now - count.last > ADDRESS_WAIT_MAX
            table[key] = _Count(1 if fresh else count.failures + 1, now)
            while len(table) > REMEMBERED:
                table.popitem(last=False)

    def succeeded(self, login: str, address: str | None) -> None:
        self._logins.pop(login, None)
        self._addresses.pop(address or "", None)
