#!/usr/bin/env python3
"""Imports a recall export into a fresh collection with Anki's own library (`pip install anki`)
and prints what Anki sees, as JSON: notes with their note type, fields, tags and deck.

    python3 scripts/anki_import_check.py FILE.apkg|FILE.txt [...]

Packages go through Anki's package importer, text files (`recall export --format anki-txt`)
through its text importer, reading their headers as Anki does.

Several files are imported into the same collection in order, which shows whether a second
import of an updated export updates notes or duplicates them. The test suite runs this when the
`anki` package is installed (CI installs it); it is the proof that Anki accepts the package.
"""
import json
import os
import sys
import tempfile

from anki.collection import Collection, ImportAnkiPackageRequest, ImportAnkiPackageOptions
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition, ImportCsvRequest


def main(paths):
    with tempfile.TemporaryDirectory() as tmp:
        col = Collection(os.path.join(tmp, "collection.anki2"))
        logs = []
        for path in paths:
            if path.endswith(".txt"):
                metadata = col.get_csv_metadata(path, None)
                log = col.import_csv(ImportCsvRequest(path=path, metadata=metadata)).log
                logs.append({"new": len(log.new), "updated": len(log.updated),
                             "duplicate": len(log.duplicate), "conflicting": len(log.conflicting)})
                continue
            options = ImportAnkiPackageOptions(
                update_notes=ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS,
                update_notetypes=ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
                with_scheduling=False,
            )
            result = col.import_anki_package(ImportAnkiPackageRequest(package_path=path, options=options))
            log = result.log
            logs.append({"new": len(log.new), "updated": len(log.updated),
                         "duplicate": len(log.duplicate), "conflicting": len(log.conflicting)})
        notes = []
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            card = note.cards()[0]
            notes.append({
                "guid": note.guid,
                "notetype": note.note_type()["name"],
                "fields": {name: note[name] for name in note.keys()},
                "tags": sorted(note.tags),
                "deck": col.decks.name(card.did),
            })
        col.close()
        print(json.dumps({"imports": logs, "notes": notes}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
