#!/usr/bin/env python3
"""Builds a small Anki collection with Anki's own library (`pip install anki`) and exports it
the ways Anki does, for recall's import tests:

    python3 scripts/anki_fixture.py OUT_DIR

writes into OUT_DIR:
  current.apkg   Anki's default package (meta + zstd collection.anki21b + protobuf media map)
  legacy21.apkg  "Support older Anki versions" (collection.anki21, JSON media map)
  legacy2.apkg   the same collection as collection.anki2 (what Anki 2.0 and genanki write)
  notes.txt      "Notes in Plain Text" with HTML, tags, deck, note type and GUID columns
  full.colpkg    the whole collection, as File > Export "Anki Collection Package" writes it
  original.anki2 the collection itself, for tests that import recall's exports back into it

The collection holds: Basic, "Basic (and reversed card)", "Basic (optional reversed card)"
(one note with the reverse asked for, one without), "Basic (type in the answer)", a Cloze note
with two deletions and a hint, a custom note type with two templates and a conditional
section, an HTML table, an image and a sound, mixed-case tags, two decks, two GUIDs that differ
only in a symbol, and a review history. Every GUID is fixed, so tests can name the cards.
"""
import os
import shutil
import sqlite3
import sys
import tempfile
import zipfile

from anki.collection import Collection, ExportAnkiPackageOptions

# 2026-03-01T10:00:00Z and 2026-03-03T10:00:00Z, in ms: the times of the reviews.
DAY1 = 1772359200000
DAY3 = DAY1 + 2 * 86400000


def build(col):
    german = col.decks.id("Languages::German")
    tech = col.decks.id("Tech")
    models = col.models

    def add(notetype, guid, fields, deck, tags=()):
        note = col.new_note(models.by_name(notetype))
        for name, value in fields.items():
            note[name] = value
        note.tags = list(tags)
        note.guid = guid
        col.add_note(note, deck)
        return note

    add("Basic", "basic-1", {"Front": "Haus", "Back": "house"}, german, ["Geo::Europe", "MixedCase"])
    add("Basic (and reversed card)", "reversed-1", {"Front": "Hund", "Back": "dog"}, german)
    add("Basic (optional reversed card)", "optional-yes",
        {"Front": "Katze", "Back": "cat", "Add Reverse": "y"}, german)
    add("Basic (optional reversed card)", "optional-no", {"Front": "Maus", "Back": "mouse"}, german)
    add("Basic (type in the answer)", "typein-1", {"Front": "Capital of Austria?", "Back": "Vienna"}, tech)
    add("Cloze", "cloze-1", {
        "Text": "{{c1::Paris}} is the capital of {{c2::France::country}}.",
        "Back Extra": "Since 508.",
    }, tech)
    add("Basic", "table-1", {
        "Front": "Greek letters<br>in a table",
        "Back": "<table><tr><td>alpha</td><td>beta</td></tr><tr><td>gamma</td><td>delta</td></tr></table>",
    }, tech)
    col.media.write_data("dot.png", b"\x89PNG\r\n\x1a\nnot really a png")
    col.media.write_data("x.mp3", b"ID3 not really audio")
    add("Basic", "media-1", {"Front": 'What is this? <img src="dot.png">', "Back": "A dot [sound:x.mp3]"}, tech)
    add("Basic", "ab*cd", {"Front": "Star", "Back": "*"}, tech)
    add("Basic", "ab#cd", {"Front": "Hash", "Back": "#"}, tech)

    # A custom note type: two templates, a conditional section, hint and text filters.
    vocab = models.new("Vocab")
    for name in ("Word", "Meaning", "Example"):
        models.add_field(vocab, models.new_field(name))
    recognise = models.new_template("Recognise")
    recognise["qfmt"] = "{{Word}}"
    recognise["afmt"] = "{{FrontSide}}<hr id=answer>{{Meaning}}{{#Example}}<br>e.g. {{Example}}{{/Example}}"
    produce = models.new_template("Produce")
    produce["qfmt"] = "{{Meaning}}{{^Example}} (no example){{/Example}}{{#Example}}<br>{{hint:Example}}{{/Example}}"
    produce["afmt"] = "{{FrontSide}}<hr id=answer>{{text:Word}}"
    models.add_template(vocab, recognise)
    models.add_template(vocab, produce)
    models.add(vocab)
    add("Vocab", "vocab-1", {"Word": "Baum", "Meaning": "tree", "Example": "Der Baum ist alt."}, german, ["Vocab"])
    add("Vocab", "vocab-2", {"Word": "Blume", "Meaning": "flower", "Example": ""}, german)

    # Reviews of the Basic card: a new card learnt on day 1 (Again, then Good on a learning
    # step), then reviewed Good on day 3. Anki keeps them in `revlog`, ids in ms.
    nid = col.find_notes("Haus")[0]
    cid = col.get_note(nid).cards()[0].id
    revlog = [
        (DAY1, 1, 0, 0, 0),  # learning, Again
        (DAY1 + 600000, 3, 1, 0, 0),  # learning, Good
        (DAY3, 3, 3, 1, 1),  # review, Good
    ]
    for rid, ease, ivl, last_ivl, kind in revlog:
        col.db.execute(
            "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) values (?, ?, -1, ?, ?, ?, 2500, 4000, ?)",
            rid, cid, ease, ivl, last_ivl, kind,
        )
    col.db.execute("update cards set type = 2, queue = 2, ivl = 3, due = 10, reps = 3 where id = ?", cid)


def main(out):
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        col = Collection(os.path.join(tmp, "collection.anki2"))
        build(col)
        for name, legacy in (("current.apkg", False), ("legacy21.apkg", True)):
            col.export_anki_package(
                out_path=os.path.join(out, name),
                options=ExportAnkiPackageOptions(with_scheduling=True, with_media=True, legacy=legacy),
                limit=None,
            )
        col.export_note_csv(
            out_path=os.path.join(out, "notes.txt"), limit=None, with_html=True, with_tags=True,
            with_deck=True, with_notetype=True, with_guid=True,
        )
        # Closes the collection.
        col.export_collection_package(os.path.join(out, "full.colpkg"), include_media=True, legacy=False)
        shutil.copy(os.path.join(tmp, "collection.anki2"), os.path.join(out, "original.anki2"))
    # Anki 2.0 and genanki write the same schema as collection.anki2, with no `meta`.
    with zipfile.ZipFile(os.path.join(out, "legacy21.apkg")) as src, \
            zipfile.ZipFile(os.path.join(out, "legacy2.apkg"), "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            # The stub collection.anki2 of a "support older versions" export gives way to the
            # real collection.
            if item.filename in ("meta", "collection.anki2"):
                continue
            name = "collection.anki2" if item.filename == "collection.anki21" else item.filename
            dst.writestr(name, src.read(item.filename))


if __name__ == "__main__":
    main(sys.argv[1])
