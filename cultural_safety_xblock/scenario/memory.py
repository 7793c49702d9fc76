"""A bounded memory of results by key, the oldest forgotten first, shared by threads.

Every cache of the block (compiled versions, analyses, rendered stages and pages, maps, course
languages) is one of these: a plain dict read without a lock (a result worked out twice at
once is simply kept once) and written under one, never above its limit.
"""
import threading


class Memory:
    def __init__(self, limit):
        self.limit = limit
        self._kept = {}
        self._lock = threading.Lock()

    def get(self, key, default=None):
        return self._kept.get(key, default)

    def keep(self, key, value):
        """Remember ``value`` for ``key`` (forgetting the oldest beyond the limit); give it."""
        with self._lock:
            self._kept[key] = value
            while len(self._kept) > self.limit:
                del self._kept[next(iter(self._kept))]
        return value

    def forget(self, key=None):
        """Forget ``key``, or everything."""
        with self._lock:
            if key is None:
                self._kept.clear()
            else:
                self._kept.pop(key, None)

    def __contains__(self, key):
        return key in self._kept

    def __len__(self):
        return len(self._kept)
