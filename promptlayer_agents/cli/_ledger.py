"""A batch's files: its inputs read as a stream, each input's identity, and the results file with
the journal that keeps "at most one start per input".

An input is identified by its content, never by its line number: the SHA-256 of its canonical JSON
(keys sorted, no spaces) together with the agent and its label or version, cut to 16 bytes, plus
its occurrence number (the k-th line with the same content is its own input, "k"). Its identity
reads `<32 hex digits>-<k>`. The journal and each result record carry it, so inserting, removing or
reordering lines between two runs never pairs an input with another input's result or run.

Memory stays flat in the number of inputs: the inputs and the results are read line by line, and
what resuming keeps is one fixed-size key (and status) per finished input, the journal's latest
word on each unfinished one, and one digest per distinct content while counting occurrences.

The files are the real ones: `--out` is resolved (symlinks followed) before anything is locked,
read, replaced or created, so the journal's lock is on the real file whatever path names it, a
symlink is written through, never replaced, and a results file (or its journal or temporary
file) that is the inputs file is refused before anything is written.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import IO, Any

from .._json import json_text

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # Windows: no advisory locks
    fcntl = None

FINISHED = frozenset({"SUCCESS", "FAILED"})
UNKNOWN = "UNKNOWN"
DIGEST_BYTES = 16
SKIP_PAUSE = 1000  # done inputs skipped between two pauses (see Resumed.todo)
_STATUSES = {status: status for status in ("SUCCESS", "FAILED", "ERROR", UNKNOWN)}
_SENDING = -1  # the journal's word on an input: its run was sent, no answer recorded
TRANSLATED = "translated_0.1.0"  # the journal entry saying the entries by line were translated


@dataclass(frozen=True)
class Target:
    """What an input's identity holds besides its content: the agent and its label or version."""

    agent: str
    label: str | None = None
    version: int | None = None

    def digest(self, inputs: dict[str, Any]) -> bytes:
        """The digest of `inputs` for this agent (RecursionError when too deeply nested)."""
        import hashlib  # here: loading it (OpenSSL) would slow every command's start-up

        canonical = json.dumps(
            {"agent": self.agent, "label": self.label, "version": self.version, "inputs": inputs},
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode("ascii")).digest()[:DIGEST_BYTES]


def identity(digest: bytes, occurrence: int) -> str:
    """An input's identity as written in the journal and the results: digest, then occurrence."""
    return f"{digest.hex()}-{occurrence}"


def key(text: object) -> bytes | None:
    """The fixed-size key kept in memory for an identity, or None if `text` is not one."""
    if not isinstance(text, str):
        return None
    digest, _, occurrence = text.partition("-")
    if len(digest) != 2 * DIGEST_BYTES or not (occurrence.isascii() and occurrence.isdigit()):
        return None
    try:
        number = int(occurrence)  # as few bytes as it takes: one, below 256
        return bytes.fromhex(digest) + number.to_bytes(max(1, (number.bit_length() + 7) // 8))
    except (ValueError, OverflowError):
        return None


@dataclass
class Item:
    """One input line: its variables and identity, or why it cannot be run; and what the journal
    says of it."""

    line: int
    inputs: dict[str, Any] | None
    problem: str | None = None
    id: str | None = None
    execution_id: int | None = None  # from the journal: started before, not yet finished
    unknown: str | None = None  # from the journal: sent before, answer never recorded


def _input_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(number, text) of each line of the inputs file, split at "\\n" only (str.splitlines()
    would also split at U+2028, U+2029 or U+0085, which JSON text may hold as they are), a
    UTF-8 byte-order mark at the start removed."""
    from .. import InvalidInputError

    try:
        with path.open("rb") as stream:
            for number, raw in enumerate(stream, start=1):
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise InvalidInputError(
                        f"--inputs {path}: not UTF-8 text ({error.reason}) at line {number}"
                    ) from None
                if number == 1:
                    text = text.removeprefix("\ufeff")
                yield number, text.removesuffix("\n").removesuffix("\r")
    except OSError as error:
        raise InvalidInputError(f"--inputs {path}: {error.strerror or error}") from error


def read_inputs(path: Path, target: Target) -> Iterator[Item]:
    """Every non-blank line of the inputs file, numbered from 1, with its identity; read as the
    items are taken."""
    occurrences: dict[bytes, int] = {}
    for number, text in _input_lines(path):
        if text.strip():
            yield _item(number, text, target, occurrences)


def _item(number: int, text: str, target: Target, occurrences: dict[bytes, int]) -> Item:
    """The item of one line; `occurrences` counts the lines of each content seen so far."""
    try:
        value = json.loads(text)
        if not isinstance(value, dict):
            return Item(number, None, f"line {number} is not a JSON object")
        digest = target.digest(value)
    except ValueError as error:
        return Item(number, None, f"line {number} is not JSON: {error}")
    except RecursionError:
        return Item(number, None, f"line {number} is nested too deeply")
    occurrences[digest] = occurrence = occurrences.get(digest, 0) + 1
    return Item(number, value, id=identity(digest, occurrence))


def _lines(path: Path) -> Iterator[bytes]:
    """The lines of a file as bytes, each with its "\\n" (a torn last line has none)."""
    if not path.exists():
        return
    with path.open("rb") as stream:
        yield from stream


def _record(line: bytes) -> dict[str, Any] | None:
    """A results line as a record, or None for a line that is not one (left as it is)."""
    try:
        record = json.loads(line.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):
        return None
    if isinstance(record, dict) and isinstance(record.get("line"), int):
        return record
    return None


def _torn(path: Path) -> bool:
    """Whether the file's last line was cut short (a crash while it was written)."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    with path.open("rb") as stream:
        stream.seek(-1, os.SEEK_END)
        return stream.read(1) != b"\n"


def _appending(path: Path) -> IO[str]:
    """The file open for appending lines; a line torn by a crash is ended first, so that the
    next line is not glued to it (and lost with it)."""
    stream = path.open("a", encoding="utf-8")
    if _torn(path):
        stream.write("\n")
        stream.flush()
    return stream


def json_line(record: dict[str, Any]) -> str:
    """A record as one line of JSON (NaN and infinities as null: JSON has no such numbers)."""
    return json_text(record) + "\n"


@dataclass
class Resumed:
    """What resuming needs from the results and the journal, one fixed-size entry per input."""

    done: dict[bytes, str] = field(default_factory=dict)  # key -> status, of kept results
    journal: dict[bytes, int] = field(default_factory=dict)  # key -> execution id or _SENDING
    by_line: dict[int, int] = field(default_factory=dict)  # an older version's journal, by line
    retry_unknown: bool = False

    def todo(self, items: Iterator[Item]) -> Iterator[Item | None]:
        """The items not done yet, each with what the journal says of it; and None after every
        SKIP_PAUSE items done, a pause for the caller: skipping a long stretch of done inputs
        must not hold up the runs in flight (their requests have deadlines)."""
        skipped = 0
        for item in items:
            found = key(item.id)
            if found is not None and found in self.done:
                skipped += 1
                if skipped % SKIP_PAUSE == 0:
                    yield None
                continue
            word = self.journal.get(found) if found is not None else None
            if word is not None and word != _SENDING:
                item.execution_id = word
            elif word == _SENDING and not self.retry_unknown:
                item.unknown = KILLED_BEFORE_ANSWER
            yield item


KILLED_BEFORE_ANSWER = "the batch stopped after sending its run and before recording the answer"


@dataclass
class Plan:
    """The inputs file counted against the results, before anything runs."""

    total: int = 0  # non-blank lines
    done: int = 0  # of which finished (or UNKNOWN) in the results
    statuses: Counter[str] = field(default_factory=Counter)  # of those done
    removed: int = 0  # results of inputs no longer in the inputs file
    translated: list[tuple[Item, int]] = field(default_factory=list)  # see `count`

    @classmethod
    def count(cls, items: Iterator[Item], resumed: Resumed) -> Plan:
        """Count the inputs; and translate the entries of a journal written by version 0.1.0,
        which named inputs by line, into the words on those inputs' identities (`translated`,
        for the ledger to journal before anything runs)."""
        plan = cls()
        for item in items:
            plan.total += 1
            found = key(item.id)
            status = resumed.done.get(found) if found is not None else None
            if status is not None:
                plan.done += 1
                plan.statuses[status] += 1
            elif found is not None and item.line in resumed.by_line:
                word = resumed.journal.setdefault(found, resumed.by_line[item.line])
                plan.translated.append((item, word))
        plan.removed = len(resumed.done) - plan.done
        return plan


class Ledger:
    """The results file and its journal of started executions, at their real paths."""

    def __init__(self, out: Path) -> None:
        self.out = out  # as given, for messages
        self.real = Path(os.path.realpath(out))
        self.journal = self.real.with_name(self.real.name + ".pending")
        self.temporary = self.real.with_name(self.real.name + ".tmp")
        self._out: IO[str] | None = None
        self._journal: IO[str] | None = None

    def refuse_overwriting(self, inputs: Path) -> None:
        """InvalidInputError if the results, the journal or the temporary file is the inputs
        file, whatever the paths (a symlink, a hard link, `..`): the same file on the disk."""
        from .. import InvalidInputError

        try:
            source = os.stat(inputs)
        except OSError:
            return  # reading the inputs reports it
        for path in (self.real, self.journal, self.temporary):
            try:
                found = os.stat(path)
            except OSError:
                continue
            if (found.st_dev, found.st_ino) == (source.st_dev, source.st_ino):
                raise InvalidInputError(
                    f"--out {self.out}: the results would overwrite the inputs "
                    f"({path} is the file {inputs})"
                )

    def __enter__(self) -> Ledger:
        """Open the journal and lock it, so that a second batch on the same results file
        (which would start the same inputs), through whatever path, stops at once."""
        from .. import InvalidInputError

        while True:
            self._journal = _appending(self.journal)
            try:
                _lock(self._journal)
            except BlockingIOError as error:
                self._journal.close()
                raise InvalidInputError(
                    f"--out {self.out}: another batch is writing these results; wait for it to end"
                ) from error
            if _same_file(self._journal, self.journal):
                return self
            self._journal.close()  # another batch removed it as we opened it: open the new one

    def __exit__(self, *exc: object) -> None:
        for stream in (self._out, self._journal):
            if stream is not None:
                stream.close()
        self._out = self._journal = None

    def resume(self, target: Target, *, retry_unknown: bool) -> Resumed:
        """Keep the finished (and, unless `retry_unknown`, UNKNOWN) results, drop the others
        and a torn last line (rewriting the file through a temporary one), and read the
        journal's latest word on every input not done."""
        keep = FINISHED if retry_unknown else FINISHED | {UNKNOWN}
        resumed = Resumed(retry_unknown=retry_unknown)
        legacy: dict[bytes, int] = {}  # records without an identity: occurrences of each digest
        dropped = False
        for line in _lines(self.real):
            record = _record(line) if line.endswith(b"\n") else None
            if record is None:
                dropped = dropped or not line.endswith(b"\n")
                continue
            status = record.get("status")
            if status not in keep:
                dropped = True
                continue
            found = key(record.get("id")) or _legacy_key(record, target, legacy)
            if found is not None:
                resumed.done[found] = _STATUSES[str(status)]
        if dropped:
            self._rewrite(keep)
        self._read_journal(resumed)
        return resumed

    def _rewrite(self, keep: frozenset[str]) -> None:
        """The results file without the records not kept and without a torn last line; replaced
        whole (at its real path: a symlink to it stays a symlink), so a crash leaves either."""
        self.temporary.unlink(missing_ok=True)  # a leftover, or a link: never written through
        with self.temporary.open("xb") as stream:
            for line in _lines(self.real):
                record = _record(line) if line.endswith(b"\n") else None
                whole = line.endswith(b"\n")
                if whole and (record is None or record.get("status") in keep):
                    stream.write(line)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(self.temporary, self.real)

    def _read_journal(self, resumed: Resumed) -> None:
        """The latest journal entry of each input not done (a torn last entry never finished);
        and, until they have been translated once (`translate`), those of version 0.1.0."""
        translated = False
        for line in _lines(self.journal):
            entry = _json_object(line) if line.endswith(b"\n") else None
            if entry is None:
                continue
            found = key(entry.get("id"))
            translated = translated or entry.get(TRANSLATED) is True
            if found is None and "id" not in entry and isinstance(entry.get("line"), int):
                _note(resumed.by_line, entry["line"], entry)  # written by version 0.1.0
            elif found is not None and found not in resumed.done:
                _note(resumed.journal, found, entry)
        if translated:
            resumed.by_line.clear()

    def translate(self, plan: Plan, resumed: Resumed) -> None:
        """Journal the words of a 0.1.0 journal on the inputs' identities, once, before
        anything runs; from then on its entries by line are ignored (lines may move)."""
        if not resumed.by_line:
            return
        for item, word in plan.translated:
            if word == _SENDING:
                self.sending(item)
            else:
                self.started(item, word)
        self._append(self._journal, {TRANSLATED: True}, durable=True)
        resumed.by_line.clear()

    @staticmethod
    def _append(stream: IO[str] | None, record: dict[str, Any], *, durable: bool = False) -> None:
        """Write one whole line; `durable` also waits until it is on disk (fsync), for the
        journal entries the at-most-once guarantee rests on."""
        assert stream is not None, "the ledger is not open"
        stream.write(json_line(record))
        stream.flush()
        if durable:
            os.fsync(stream.fileno())

    def sending(self, item: Item) -> None:
        """Journalled before the run request goes out: from now on it may start."""
        self._append(
            self._journal, {"id": item.id, "line": item.line, "sending": True}, durable=True
        )

    def started(self, item: Item, execution_id: int) -> None:
        entry = {"id": item.id, "line": item.line, "execution_id": execution_id}
        self._append(self._journal, entry, durable=True)

    def not_started(self, item: Item) -> None:
        """The run certainly did not start: a rerun may send it again."""
        entry = {"id": item.id, "line": item.line, "not_started": True}
        self._append(self._journal, entry, durable=True)

    def record(self, record: dict[str, Any]) -> None:
        if self._out is None:
            self._out = _appending(self.real)
        self._append(self._out, record)

    def statuses(self) -> Counter[str]:
        """How many records of the results file ended in each status (read line by line)."""
        counts: Counter[str] = Counter()
        for line in _lines(self.real):
            record = _record(line)
            if record is not None:
                status = record.get("status")
                counts[status if status in FINISHED | {UNKNOWN} else "ERROR"] += 1
        return counts

    def forget_journal(self) -> None:
        """Every input finished: the journal has nothing left to say."""
        self.journal.unlink(missing_ok=True)


def _json_object(line: bytes) -> dict[str, Any] | None:
    """A line of JSON that is an object, else None."""
    try:
        value = json.loads(line.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _note(words: dict[Any, int], where: Any, entry: dict[str, Any]) -> None:
    """Record one journal entry's word on an input: its execution id, that its run was sent
    (no answer yet), or that it certainly did not start (nothing to remember)."""
    if isinstance(entry.get("execution_id"), int) and not isinstance(entry["execution_id"], bool):
        words[where] = entry["execution_id"]
    elif entry.get("sending"):
        words[where] = _SENDING
    elif entry.get("not_started"):
        words.pop(where, None)


def _legacy_key(record: dict[str, Any], target: Target, seen: dict[bytes, int]) -> bytes | None:
    """The key of a record written before records held their identity (by their inputs and
    their order among the records of the same content), or None without inputs."""
    inputs = record.get("inputs")
    if not isinstance(inputs, dict):
        return None
    try:
        digest = target.digest(inputs)
    except RecursionError:
        return None
    seen[digest] = occurrence = seen.get(digest, 0) + 1
    return key(identity(digest, occurrence))


def _lock(stream: IO[str]) -> None:
    """An exclusive lock on the open file, or BlockingIOError if another process holds it
    (released when the file is closed, or the process dies). No-op where flock is missing."""
    if fcntl is not None:
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _same_file(stream: IO[str], path: Path) -> bool:
    """Whether `path` still names the file open as `stream`."""
    try:
        found = os.stat(path)
    except OSError:
        return False
    opened = os.fstat(stream.fileno())
    return (found.st_dev, found.st_ino) == (opened.st_dev, opened.st_ino)
