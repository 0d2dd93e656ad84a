#!/usr/bin/env python3
"""The Anki side of BENCHMARKS.md's "back after months" comparison: builds, with Anki's own
library (`pip install anki`), a collection the size of recall's generated one — 100,000 cards
(Basic notes, one deck), 1,000,000 revlog rows, most cards overdue — then times opening it plus
the first queue build (`Collection(path)` + `col.sched.get_queued_cards()`), the work that
stands between launching Anki and its first card. Prints one line per run and the median.

    python3 scripts/anki_bench.py [--cards N] [--reviews N] [--overdue F] [--runs N] [--dir DIR]

The collection is built once in DIR (default: a temporary directory) and reused when DIR
already holds one built with the same options. Timings are in-process: the Python interpreter's
start-up and `import anki` are not counted (recall's figures are whole processes, so this
favours Anki). Cards and revlog rows are written with sqlite3 after Anki has created the notes:
going through Anki's scheduler for a million answers would take hours and change nothing that
opening the collection or building its queue reads.
"""
import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time

from anki.collection import AddNoteRequest, Collection

DAY = 86_400


def build(path, cards, reviews, overdue, seed):
    """Writes the collection at `path`; returns how many cards are overdue."""
    rng = random.Random(seed)
    col = Collection(path)
    notetype = col.models.by_name("Basic")
    deck = col.decks.id("Bench")
    requests = []
    for i in range(cards):
        note = col.new_note(notetype)
        note["Front"] = f"Generated question {i}: what does term {i} mean in topic {i % 50}?"
        note["Back"] = f"Generated answer {i}, a sentence or two long, as the cards of a real deck are."
        requests.append(AddNoteRequest(note=note, deck_id=deck))
    col.add_notes(requests)
    col.decks.select(deck)  # the deck the queue is built from
    col.close()

    # Two years of history before a nine-month break: the collection was created 1,000 days
    # ago, so due days (days since creation) stay positive.
    db = sqlite3.connect(path)
    db.execute("UPDATE col SET crt = crt - ?", (1000 * DAY,))
    db.commit()
    db.close()
    col = Collection(path)
    today = col.sched.today
    crt = col.crt
    col.close()

    db = sqlite3.connect(path)
    card_ids = [row[0] for row in db.execute("SELECT id FROM cards ORDER BY id")]
    reviewed = card_ids[: cards * 9 // 10]  # a tenth stay new, as in recall's generator
    late = set(rng.sample(reviewed, min(len(reviewed), int(cards * overdue))))
    updates = []
    for cid in reviewed:
        interval = max(1, int(rng.lognormvariate(3.0, 1.2)))
        if cid in late:
            due = today - rng.randint(1, 270)
        else:
            due = today + rng.randint(1, max(1, interval))
        reps = rng.randint(3, 20)
        updates.append((interval, due, rng.choice([1300, 2050, 2500, 2800]), reps, reps // 8, cid))
    db.executemany(
        "UPDATE cards SET type = 2, queue = 2, ivl = ?, due = ?, factor = ?, reps = ?, lapses = ?"
        " WHERE id = ?",
        updates,
    )

    def revlog():
        start_ms = (crt + 10 * DAY) * 1000
        span_ms = 720 * DAY * 1000
        for n in range(reviews):
            cid = reviewed[n % len(reviewed)]
            ease = rng.choices([1, 2, 3, 4], weights=[10, 15, 60, 15])[0]
            interval = rng.randint(1, 400)
            # ids are millisecond timestamps and must be unique: spread, then offset by n.
            rid = start_ms + (n * span_ms) // reviews + n % 997
            yield (rid, cid, -1, ease, interval, interval // 2, 2500, rng.randint(2000, 20000), 1)

    db.executemany(
        "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        revlog(),
    )
    db.commit()
    db.close()
    return len(late)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--overdue", type=float, default=0.68, help="fraction of cards overdue")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", help="where to keep the collection (reused if built)")
    args = parser.parse_args()

    directory = args.dir or tempfile.mkdtemp(prefix="anki-bench.")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "collection.anki2")
    options = {k: getattr(args, k) for k in ("cards", "reviews", "overdue", "seed")}
    marker = os.path.join(directory, "options.json")
    built = os.path.exists(path) and os.path.exists(marker)
    if built:
        with open(marker) as f:
            built = json.load(f) == options
    if not built:
        for name in ("collection.anki2", "collection.anki2-wal", "collection.anki2-shm"):
            if os.path.exists(os.path.join(directory, name)):
                os.remove(os.path.join(directory, name))
        started = time.perf_counter()
        late = build(path, args.cards, args.reviews, args.overdue, args.seed)
        with open(marker, "w") as f:
            json.dump(options, f)
        print(f"built {path}: {args.cards} cards, {args.reviews} revlog rows, {late} overdue,"
              f" in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    samples = []
    for run in range(args.warmup + args.runs):
        started = time.perf_counter()
        col = Collection(path)
        queued = col.sched.get_queued_cards()
        elapsed = (time.perf_counter() - started) * 1000
        counts = (queued.new_count, queued.learning_count, queued.review_count)
        col.close()
        if run >= args.warmup:
            samples.append(elapsed)
            print(f"run {run - args.warmup + 1}: {elapsed:.2f} ms (new, learning, review: {counts})")
    print(f"anki {__import__('anki.buildinfo').buildinfo.version}: open + get_queued_cards,"
          f" median {statistics.median(samples):.2f} ms, min {min(samples):.2f}, max {max(samples):.2f}"
          f" ({args.runs} runs after {args.warmup} warm-up, in-process)")


if __name__ == "__main__":
    main()
