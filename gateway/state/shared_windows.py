"""The sliding windows of `windows` on the shared store, so that a client's allowance is one
whatever worker or replica it reaches: every limit of a request checked and taken in one script
(one round trip, all or nothing), on the store's own clock, so that the replicas' clocks do
not matter. A refused request gets the same wait as in process, reckoned from what the script
saw.

Each limit is a hash of three fields (the window's number, its count and the last window's),
kept two windows. A client's keys share a hash tag, so a cluster keeps them in one slot."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.state.shared import SharedState
from gateway.state.windows import Limit, Window, refusal

# KEYS: one hash a limit. ARGV: the window's length in seconds, then each limit's amount and
# cost. Answers 'taken', or the share of the last window still in the sliding one followed by
# each window's number, count and last count as they stand (nothing taken).
TAKE = """
local time = redis.call('TIME')
local seconds = tonumber(ARGV[1])
local now = (tonumber(time[1]) + tonumber(time[2]) / 1000000) / seconds
local number = math.floor(now)
local overlap = 1 - (now - number)
local seen = {}
local refused = false
for i, key in ipairs(KEYS) do
  local amount, cost = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local held = redis.call('HMGET', key, 'n', 'current', 'previous')
  local n, current, previous = tonumber(held[1]), tonumber(held[2]) or 0, tonumber(held[3]) or 0
  if n == number - 1 then
    previous, current = current, 0
  elseif n ~= number then
    previous, current = 0, 0
  end
  seen[i] = {current, previous}
  if math.ceil(previous * overlap) + current + cost > amount then refused = true end
end
if refused then
  local answer = {tostring(overlap)}
  for i = 1, #KEYS do
    table.insert(answer, tostring(seen[i][1]))
    table.insert(answer, tostring(seen[i][2]))
  end
  return answer
end
for i, key in ipairs(KEYS) do
  local cost = tonumber(ARGV[2 * i + 1])
  redis.call('HSET', key, 'n', number, 'current', seen[i][1] + cost, 'previous', seen[i][2])
  redis.call('PEXPIRE', key, math.ceil(2 * seconds * 1000))
end
return 'taken'
"""


MIN_WAIT = 0.001


class SharedWindows:
    def __init__(self, state: SharedState, seconds: float = 60.0) -> None:
        self.state = state
        self.seconds = seconds
        self._take = state.redis.register_script(TAKE)

    async def take(self, limits: Sequence[Limit], owner: str) -> float:
        """As `SlidingWindows.take`, for the limits of one client (`owner`, their hash tag).
        `StateUnavailableError` if the store cannot answer."""
        keys = [self.state.key("rl", "{" + owner + "}", limit.key) for limit in limits]
        args: list[float] = [self.seconds]
        for limit in limits:
            args += [limit.amount, limit.cost]
        answer = await self.state.run(self._take(keys=keys, args=args))
        if answer == b"taken":
            return 0.0
        # Lua writes numbers as %.14g: large counts come back as "1e+12"
        overlap, *counts = (float(value) for value in answer)
        windows = [
            Window(0, current=int(counts[2 * i]), previous=int(counts[2 * i + 1]))
            for i in range(len(limits))
        ]
        # refused by the script: never 0, should the overlap's 14 digits put it on the line
        return max(refusal(limits, windows, overlap, self.seconds), MIN_WAIT)
