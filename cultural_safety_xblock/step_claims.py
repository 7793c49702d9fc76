"""Learner steps being stored in this process: a racing duplicate is refused, not published twice.

The LMS runs handlers without a lock (``handle_xblock_callback`` is non-atomic) and reads a
learner's state once, when the request starts (``FieldDataCache``). Two requests of one learner
that read the same stored state before either saved (a double click, two tabs, a script) both
pass the version check. Before it stores anything, a step claims the state it read, named by
(learner, block, the version it leads to, when the state it read was stored); a second claim of
the same name within ``HOLD`` seconds is a duplicate, refused with 409, and stores and publishes
nothing. A claim is given back when its step could not be saved, so a retry is not refused.

What this cannot tell: two such requests served by different LMS processes (several workers or
pods) each find their own claim free. Both are then stored, the last one wins, and both publish;
every tracking event carries the state ``version`` it led to, so a pipeline can keep one event
per (learner, block, version), and the learner's own state (the instructor report) says which
one was kept.
"""
import threading
import time

HOLD = 10.0       # seconds: far longer than two racing requests can be apart
LIMIT = 20_000    # claims kept at most (the oldest forgotten first)


class StepClaims:
    def __init__(self, hold=HOLD, limit=LIMIT, clock=time.monotonic):
        self.hold, self.limit, self.clock = hold, limit, clock
        self._claims = {}
        self._lock = threading.Lock()

    def claim(self, key):
        """True if ``key`` was free (it is now held), False if another step holds it."""
        now = self.clock()
        with self._lock:
            held = self._claims.get(key)
            if held is not None and now - held < self.hold:
                return False
            self._claims.pop(key, None)
            self._claims[key] = now
            while len(self._claims) > self.limit:
                del self._claims[next(iter(self._claims))]
            return True

    def release(self, key):
        with self._lock:
            self._claims.pop(key, None)

    def forget(self):
        with self._lock:
            self._claims.clear()


CLAIMS = StepClaims()
