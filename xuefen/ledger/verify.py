"""Walking the hash chains: finds every entry changed, deleted or inserted behind the
application's back.

Each entry's hash covers its content and the previous entry's hash; the Chain row holds the head
(last seq, last hash) the application wrote. So:
- a row whose stored hash does not match its content was changed;
- a gap in seq, a prev_hash that is not the previous entry's hash, or a head beyond the last row
  means rows were deleted (or replaced);
- rows beyond the head, of a person without a head, or without the audit record that post_entry and
  reverse_entry write with every entry, were inserted.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from xuefen.audit.models import AuditEvent
from xuefen.ledger.models import GENESIS, Chain, Entry

CHUNK = 5000

CHANGED = "changed"
DELETED = "deleted"
INSERTED = "inserted"


@dataclass(frozen=True)
class Problem:
    kind: str  # changed | deleted | inserted
    person_id: int
    seq: int
    entry_id: int | None
    detail: str

    def __str__(self) -> str:
        entry = f"entry {self.entry_id}" if self.entry_id is not None else "no entry"
        return f"{self.kind}: person {self.person_id} seq {self.seq} ({entry}): {self.detail}"


def _walk(
    person_id: int, rows: list[Entry], head: tuple[int, str] | None, audited: set[str]
) -> Iterator[Problem]:
    expected_seq, prev = 1, GENESIS
    for entry in rows:
        if str(entry.pk) not in audited:
            yield Problem(
                INSERTED, person_id, entry.seq, entry.pk, "no audit record of its posting"
            )
        if entry.seq != expected_seq:
            yield Problem(
                DELETED,
                person_id,
                expected_seq,
                None,
                f"seq {expected_seq}..{entry.seq - 1} missing before entry {entry.pk}",
            )
        elif entry.prev_hash != prev:
            yield Problem(
                DELETED,
                person_id,
                entry.seq,
                entry.pk,
                "does not link to the entry before it (that entry was replaced or removed)",
            )
        if entry.compute_hash() != entry.hash:
            yield Problem(
                CHANGED, person_id, entry.seq, entry.pk, "content does not match its hash"
            )
        expected_seq, prev = entry.seq + 1, entry.hash
    last_seq = expected_seq - 1
    if head is None:
        for entry in rows:
            yield Problem(INSERTED, person_id, entry.seq, entry.pk, "no chain head for this person")
        return
    head_seq, head_hash = head
    if head_seq > last_seq:
        yield Problem(
            DELETED,
            person_id,
            last_seq + 1,
            None,
            f"seq {last_seq + 1}..{head_seq} missing at the end",
        )
    for entry in rows:
        if entry.seq > head_seq:
            yield Problem(INSERTED, person_id, entry.seq, entry.pk, "beyond the chain head")
        elif entry.seq == head_seq and entry.hash != head_hash:
            yield Problem(CHANGED, person_id, entry.seq, entry.pk, "not the head the ledger wrote")


def verify(person_id: int | None = None) -> Iterator[Problem]:
    """Every problem in every chain (or one person's), streaming the ledger in person order."""
    chains = Chain.objects.all()
    entries = Entry.objects.order_by("person_id", "seq")
    if person_id is not None:
        chains = chains.filter(person_id=person_id)
        entries = entries.filter(person_id=person_id)
    events = AuditEvent.objects.filter(
        object_type=Entry._meta.label_lower,
        action__in=[AuditEvent.Action.POST, AuditEvent.Action.REVERSE],
    )
    if person_id is not None:
        events = events.filter(person_id=person_id)
    audited = set(events.values_list("object_id", flat=True).iterator(chunk_size=CHUNK))
    heads = {
        pid: (seq, digest)
        for pid, seq, digest in chains.values_list("person_id", "last_seq", "last_hash").iterator(
            chunk_size=CHUNK
        )
    }
    current: int | None = None
    rows: list[Entry] = []
    for entry in entries.iterator(chunk_size=CHUNK):
        if entry.person_id != current:
            if current is not None:
                yield from _walk(current, rows, heads.pop(current, None), audited)
            current, rows = entry.person_id, []
        rows.append(entry)
    if current is not None:
        yield from _walk(current, rows, heads.pop(current, None), audited)
    for pid, head in heads.items():
        if head[0] > 0:
            yield Problem(DELETED, pid, 1, None, f"seq 1..{head[0]} missing: every entry is gone")
