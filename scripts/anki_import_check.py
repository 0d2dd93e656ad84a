#!/usr/bin/env python3
"""Imports a recall export into a fresh collection with Anki's own library (`pip install anki`)
and prints what Anki sees, as JSON: notes with their note type, fields, tags and deck.

    python3 scripts/anki_import_check.py [--into COLLECTION] FILE.apkg|FILE.txt [...]

Packages go through Anki's package importer, text files (`recall export --format anki-txt`)
through its text importer, reading their headers as Anki does.

Several files are imported into the same collection in order, which shows whether a second
import of an updated export updates notes or duplicates them. The test suite runs this when the
`anki` package is installed (CI installs it); it is the proof that Anki accepts the package.

With `--into COLLECTION`, the files are imported into a copy of that collection instead (the
one a deck came from, say), and the output also lists the ids of the notes it held before:
whether an export of those notes updates them, or adds copies or conflicts.
"""
import json
import os
import shutil
import sys
import tempfile

from anki.collection import Collection, ImportAnkiPackageRequest, ImportAnkiPackageOptions
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition, ImportCsvRequest


def counts(log):
    return {"new": len(log.new), "updated": len(log.updated), "duplicate": len(log.duplicate),
            "conflicting": len(log.conflicting), "missing_notetype": len(log.missing_notetype)}


def main(paths):
    into = None
    if paths[:1] == ["--into"]:
        into, paths = paths[1], paths[2:]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "collection.anki2")
        if into:
            shutil.copy(into, path)
        col = Collection(path)
        before = sorted(col.find_notes(""))
        logs = []
        for path in paths:
            if path.endswith(".txt"):
                metadata = col.get_csv_metadata(path, None)
                log = col.import_csv(ImportCsvRequest(path=path, metadata=metadata)).log
                logs.append(counts(log))
                continue
            options = ImportAnkiPackageOptions(
                update_notes=ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS,
                update_notetypes=ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
                # ANKI_WITH_SCHEDULING=1: "Import any learning progress" ticked.
                with_scheduling=os.environ.get("ANKI_WITH_SCHEDULING") == "1",
            )
            result = col.import_anki_package(ImportAnkiPackageRequest(package_path=path, options=options))
            logs.append(counts(result.log))
        notes = []
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            card = note.cards()[0]
            notes.append({
                "id": nid,
                "guid": note.guid,
                "notetype": note.note_type()["name"],
                "fields": {name: note[name] for name in note.keys()},
                "tags": sorted(note.tags),
                "deck": col.decks.name(card.did),
                "suspended": [c.queue == -1 for c in note.cards()],
                # What Anki shows on each card's question side, HTML as rendered.
                "questions": [c.question() for c in note.cards()],
                # Scheduling, as Anki holds it after the import: interval, days until due
                # (review cards), reviews, lapses, and the card's answers in the review log.
                "schedule": [
                    {
                        "type": c.type,
                        "ivl": c.ivl,
                        "due_in": c.due - col.sched.today if c.type == 2 else None,
                        "reps": c.reps,
                        "lapses": c.lapses,
                        "revlog": col.db.scalar("select count() from revlog where cid = ?", c.id),
                    }
                    for c in note.cards()
                ],
            })
        col.close()
        print(json.dumps({"before": before, "imports": logs, "notes": notes}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
