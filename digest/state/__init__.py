"""Everything digest remembers between runs, in one SQLite file (see store.py)."""

from .store import State, open_state

__all__ = ["State", "open_state"]
