#!/usr/bin/env python3
"""Builds a large Anki collection for timing `recall sync --anki` (scripts/anki_sync_bench.sh):

    python3 scripts/anki_sync_bench.py OUT_DIR [NOTES] [ANSWERS_PER_CARD]

writes OUT_DIR/collection.anki2 (NOTES Basic notes, default 100,000, each with one review
card and ANSWERS_PER_CARD answers, default 10: a million review-log rows), OUT_DIR/deck.apkg
(that collection as a package, for `recall import`) and OUT_DIR/empty/ the same without its
review log (collection.anki2 and deck.apkg). Anki's library makes the collection and its note
type; the notes, cards and rows are written in bulk with SQLite, as Anki would lay them out.
"""
import os
import shutil
import sqlite3
import sys
import zipfile

from anki.collection import Collection

CREATED = 1735704000  # 2025-01-01T04:00:00Z
FIRST_ANSWER = 1735725600000  # 2025-01-01T10:00:00Z, ms
DAY = 86400000


def package(directory):
    with zipfile.ZipFile(os.path.join(directory, "deck.apkg"), "w", zipfile.ZIP_DEFLATED) as z:
        z.write(os.path.join(directory, "collection.anki2"), "collection.anki2")
        z.writestr("media", "{}")


def main(out, notes, per_card):
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "collection.anki2")
    col = Collection(path)
    basic = col.models.by_name("Basic")
    note = col.new_note(basic)
    note["Front"], note["Back"] = "q0", "a0"
    note.guid = "big-0"
    col.add_note(note, 1)
    col.db.execute("update col set crt = ?", CREATED)
    col.close()
    db = sqlite3.connect(path)
    base = 1700000000000
    rows_notes, rows_cards, rows_revlog = [], [], []
    for i in range(1, notes):
        nid = cid = base + i
        rows_notes.append((nid, f"big-{i}", basic["id"], 1, -1, "", f"q{i}\x1fa{i}", f"q{i}", 0, 0, ""))
        rows_cards.append((cid, nid, 1, 0, 1, -1, 2, 2, 400 + i % 60, 30, 2500, per_card, 0, 0, 0, 0, 0, "{}"))
        for k in range(per_card):
            rows_revlog.append((FIRST_ANSWER + k * 3 * DAY + i * 7, cid, -1, 3, 3, 1, 2500, 5000, 1))
    db.executemany("insert into notes values (?,?,?,?,?,?,?,?,?,?,?)", rows_notes)
    db.executemany("insert into cards values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows_cards)
    db.executemany("insert into revlog values (?,?,?,?,?,?,?,?,?)", rows_revlog)
    db.commit()
    db.execute("pragma journal_mode = delete")
    db.close()
    package(out)
    empty = os.path.join(out, "empty")
    os.makedirs(empty, exist_ok=True)
    shutil.copy(path, os.path.join(empty, "collection.anki2"))
    db = sqlite3.connect(os.path.join(empty, "collection.anki2"))
    db.execute("delete from revlog")
    db.commit()
    db.close()
    package(empty)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 100000,
         int(sys.argv[3]) if len(sys.argv) > 3 else 10)
