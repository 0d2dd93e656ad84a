#!/usr/bin/env python3
"""Drives Anki's own library (`pip install anki`) for the tests of `recall sync --anki`:

    python3 scripts/anki_sync_check.py build DIR [--fsrs]
        writes DIR/collection.anki2 (the learner's collection: Basic, reversed and cloze notes,
        an image, answers over three days in March 2026, one manual reschedule) and
        DIR/deck.apkg, its export with scheduling, for `recall import`
    python3 scripts/anki_sync_check.py inspect COLLECTION
        prints JSON: the review log, every card's schedule by `GUID/ord`, a digest of notes,
        note types, decks and media, and what Anki's Check Database finds (run on a copy)
    python3 scripts/anki_sync_check.py answer COLLECTION GUID EASE [ORD]
        answers the note's first card (or its card ORD) in Anki, now, as the phone would
    python3 scripts/anki_sync_check.py import COLLECTION FILE.apkg
        imports a package into the collection (made if missing), as File > Import does
    python3 scripts/anki_sync_check.py suspend COLLECTION GUID
    python3 scripts/anki_sync_check.py unsuspend COLLECTION GUID
        suspends or unsuspends the note's cards in Anki, now
    python3 scripts/anki_sync_check.py hold COLLECTION
        opens the collection as Anki does and keeps it open until stdin closes
    python3 scripts/anki_sync_check.py set-version COLLECTION VER
        sets `col.ver` (to test an unknown schema)
"""
import hashlib
import json
import os
import shutil
import sqlite3
import sys
import tempfile

from anki.collection import Collection, ExportAnkiPackageOptions

# 2026-02-01T04:00:00Z: the collection's creation (day 0 of its review due numbers).
CREATED = 1769918400
DAY = 86400000
# 2026-03-01T10:00:00Z, in ms.
MARCH1 = 1772359200000


def build(out, fsrs):
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "collection.anki2")
    col = Collection(path)
    models = col.models
    deck = col.decks.id("Languages")

    def add(notetype, guid, fields):
        note = col.new_note(models.by_name(notetype))
        for name, value in fields.items():
            note[name] = value
        note.guid = guid
        col.add_note(note, deck)
        return note

    col.media.write_data("dot.png", b"\x89PNG\r\n\x1a\nnot really a png")
    add("Basic", "g-basic", {"Front": 'Haus <img src="dot.png">', "Back": "house"})
    add("Basic (and reversed card)", "g-rev", {"Front": "Hund", "Back": "dog"})
    add("Basic", "g-new", {"Front": "Katze", "Back": "cat"})
    add("Basic", "g-other", {"Front": "Maus", "Back": "mouse"})
    add("Cloze", "g-cloze", {"Text": "{{c1::Paris}} is in {{c2::France}}.", "Back Extra": ""})

    def card(guid, ord=0):
        nid = col.db.scalar("select id from notes where guid = ?", guid)
        return col.db.scalar("select id from cards where nid = ? and ord = ?", nid, ord)

    # (card, ms, ease, ivl, lastIvl, type): a card learnt on day 1 (Again, Good) and
    # reviewed on day 3; another learnt on day 2; a manual reschedule (no button).
    basic, rev, other = card("g-basic"), card("g-rev"), card("g-other")
    rows = [
        (basic, MARCH1, 1, -60, 0, 0),
        (basic, MARCH1 + 600000, 3, 1, -60, 0),
        (basic, MARCH1 + 2 * DAY, 3, 3, 1, 1),
        (rev, MARCH1 + DAY, 3, 1, 0, 0),
        (other, MARCH1 + DAY + 5000, 0, 4, 0, 4),
    ]
    for cid, rid, ease, ivl, last, kind in rows:
        col.db.execute(
            "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
            " values (?, ?, -1, ?, ?, ?, 2500, 4000, ?)",
            rid, cid, ease, ivl, last, kind,
        )
    col.db.execute("update col set crt = ?", CREATED)
    # Day numbers from 2026-02-01: the basic card due 2026-03-06, the reversed one 03-03,
    # the rescheduled one 03-06.
    col.db.execute("update cards set type = 2, queue = 2, ivl = 3, due = 33, reps = 3, lapses = 0, factor = 2500 where id = ?", basic)
    col.db.execute("update cards set type = 2, queue = 2, ivl = 1, due = 30, reps = 1, factor = 2500 where id = ?", rev)
    col.db.execute("update cards set type = 2, queue = 2, ivl = 4, due = 33, factor = 2500 where id = ?", other)
    if fsrs:
        col.set_config("fsrs", True)
    # A clean start: what Check Database would fill in (last review times) is filled in.
    col.fix_integrity()
    # Anki last changed the cards with the last of those answers (2026-03-03), as a
    # collection built then would have it, not when this script runs: a sync weighs it
    # against recall's suspensions.
    col.db.execute("update cards set mod = ?", (MARCH1 + 2 * DAY) // 1000)
    col.export_anki_package(
        out_path=os.path.join(out, "deck.apkg"),
        options=ExportAnkiPackageOptions(with_scheduling=True, with_media=True, legacy=False),
        limit=None,
    )
    col.close()


def digest(db, sql):
    h = hashlib.sha256()
    for row in db.execute(sql):
        h.update(repr(row).encode())
    return h.hexdigest()


def inspect(path):
    db = sqlite3.connect(path)
    revlog = db.execute(
        "select id, cid, usn, ease, ivl, lastIvl, factor, time, type from revlog order by id"
    ).fetchall()
    cards = {}
    for row in db.execute(
        "select n.guid, c.ord, c.id, c.type, c.queue, c.due, c.ivl, c.factor, c.reps, c.lapses,"
        " c.usn, c.mod, c.data from cards c join notes n on n.id = c.nid"
    ):
        guid, ord_, cid, kind, queue, due, ivl, factor, reps, lapses, usn, mod, data = row
        cards[f"{guid}/{ord_}"] = dict(
            id=cid, type=kind, queue=queue, due=due, ivl=ivl, factor=factor, reps=reps,
            lapses=lapses, usn=usn, mod=mod, data=json.loads(data or "{}"),
        )
    untouched = {
        "notes": digest(db, "select * from notes order by id"),
        "notetypes": digest(db, "select * from notetypes order by id"),
        "fields": digest(db, "select * from fields order by ntid, ord"),
        "templates": digest(db, "select * from templates order by ntid, ord"),
        "decks": digest(db, "select * from decks order by id"),
        "deck_config": digest(db, "select * from deck_config order by id"),
    }
    col_mod = db.execute("select mod from col").fetchone()[0]
    db.close()
    media_dir = os.path.join(os.path.dirname(path), "collection.media")
    media = sorted(os.listdir(media_dir)) if os.path.isdir(media_dir) else []
    # Check Database on a copy, so that inspecting never changes the collection.
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "collection.anki2")
        shutil.copy(path, copy)
        col = Collection(copy)
        problems, ok = col.fix_integrity()
        col.close()
    print(json.dumps(dict(
        revlog=revlog, cards=cards, untouched=untouched, media=media, col_mod=col_mod,
        check_ok=ok, check_problems=problems,
    )))


def answer(path, guid, ease, ord_=0):
    col = Collection(path)
    nid = col.db.scalar("select id from notes where guid = ?", guid)
    card = [c for c in col.get_note(nid).cards() if c.ord == ord_][0]
    card.start_timer()
    col.sched.answerCard(card, ease)
    col.close()


def suspend(path, guid):
    col = Collection(path)
    nid = col.db.scalar("select id from notes where guid = ?", guid)
    col.sched.suspend_cards([c.id for c in col.get_note(nid).cards()])
    col.close()


def unsuspend(path, guid):
    col = Collection(path)
    nid = col.db.scalar("select id from notes where guid = ?", guid)
    col.sched.unsuspend_cards([c.id for c in col.get_note(nid).cards()])
    col.close()


def import_package(path, package):
    from anki.collection import ImportAnkiPackageRequest, ImportAnkiPackageOptions
    os.makedirs(os.path.dirname(path), exist_ok=True)
    col = Collection(path)
    col.import_anki_package(ImportAnkiPackageRequest(
        package_path=package, options=ImportAnkiPackageOptions(with_scheduling=True)))
    col.close()


def history(path, count):
    """Adds `count` answers (Good) to the collection's review log, one a day for each card in
    turn from 2022-03-01: years of reviews, as a phone's collection has them."""
    col = Collection(path)
    cards = col.db.list("select id from cards order by id")
    start = 1646092800000  # 2022-03-01T00:00:00Z
    for n in range(count):
        cid = cards[n % len(cards)]
        day = n // len(cards)
        col.db.execute(
            "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
            " values (?, ?, -1, 3, 1, 1, 2500, 4000, 1)",
            start + day * DAY + 36000000 + n % len(cards) * 1000, cid,
        )
    col.close()


def answer_at(path, guid, ms, ease):
    """Adds one answer to the first card of the note with `guid` at `ms` (a phone whose clock
    is wrong, say)."""
    col = Collection(path)
    nid = col.db.scalar("select id from notes where guid = ?", guid)
    cid = col.db.scalar("select id from cards where nid = ? order by ord", nid)
    col.db.execute(
        "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
        " values (?, ?, -1, ?, 1, 1, 2500, 4000, 1)",
        ms, cid, ease,
    )
    col.close()


def filtered(path, guid):
    """Moves the cards of the note with `guid` into a new filtered deck (Anki's own way)."""
    col = Collection(path)
    nid = col.db.scalar("select id from notes where guid = ?", guid)
    deck = col.sched.get_or_create_filtered_deck(deck_id=0)
    deck.name = "Cram"
    deck.config.search_terms[0].search = f"nid:{nid}"
    deck.config.search_terms[0].limit = 100
    deck.config.reschedule = True
    col.sched.add_or_update_filtered_deck(deck)
    moved = col.db.scalar("select count(*) from cards where nid = ? and odid != 0", nid)
    col.close()
    print(moved)


def export(path, out):
    """Exports the collection as a package with its scheduling (Anki's File > Export)."""
    col = Collection(path)
    col.export_anki_package(
        out_path=out,
        options=ExportAnkiPackageOptions(with_scheduling=True, with_media=True, legacy=False),
        limit=None,
    )
    col.close()


def hold(path):
    col = Collection(path)
    print("open", flush=True)
    sys.stdin.read()
    col.close()


def set_version(path, ver):
    db = sqlite3.connect(path)
    db.execute("update col set ver = ?", (ver,))
    db.commit()
    db.close()


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "build":
        build(args[0], "--fsrs" in args)
    elif command == "inspect":
        inspect(args[0])
    elif command == "answer":
        answer(args[0], args[1], int(args[2]), int(args[3]) if len(args) > 3 else 0)
    elif command == "import":
        import_package(args[0], args[1])
    elif command == "suspend":
        suspend(args[0], args[1])
    elif command == "unsuspend":
        unsuspend(args[0], args[1])
    elif command == "history":
        history(args[0], int(args[1]))
    elif command == "answer-at":
        answer_at(args[0], args[1], int(args[2]), int(args[3]))
    elif command == "filtered":
        filtered(args[0], args[1])
    elif command == "export":
        export(args[0], args[1])
    elif command == "hold":
        hold(args[0])
    elif command == "set-version":
        set_version(args[0], int(args[1]))
    else:
        sys.exit(f"unknown command {command}")
