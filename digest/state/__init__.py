"""Everything digest remembers between runs, in one SQLite file (see store.py)."""

from .store import State, open_state

# How long the state file keeps what is not sent-item history (that is `dedup.history_days`),
# counted back from the run; pruned only by a run whose digest counts as sent.
SEEN_RETENTION_DAYS = 90  # first-seen times of undated items: longer than feeds keep an entry listed
CACHE_RETENTION_DAYS = 30  # summaries, full-text pages and each day's digest: re-made if needed again

__all__ = ["CACHE_RETENTION_DAYS", "SEEN_RETENTION_DAYS", "State", "open_state"]
