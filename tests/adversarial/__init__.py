"""The promises under attack, one module per promise: at most one start per input
(`test_at_most_once.py`), secrecy (`test_secrecy.py`), deadlines (`test_deadlines.py`), memory
(`test_memory.py`), typed errors (`test_typed_errors.py`) and isolation (`test_isolation.py`).
Each uses generated inputs (hypothesis) where it can, bounded in count and time."""
