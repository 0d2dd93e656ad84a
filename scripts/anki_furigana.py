#!/usr/bin/env python3
"""Builds, with Anki's own library (`pip install anki`), a Japanese reading deck whose note
type uses Anki's built-in furigana filters, as mining decks do:

    python3 scripts/anki_furigana.py OUT_DIR

writes OUT_DIR/japanese.apkg, and prints as JSON what Anki itself renders for each card
(`{"guid/ord": {"question": HTML, "answer": HTML}}`), so a test can hold recall's import
against Anki in the same run. It also writes OUT_DIR/occlusion.apkg: one Image Occlusion note
(stock note type) with two masks, the second labelled, and its fields under "occlusion".
"""
import json
import os
import sys
import tempfile

from anki.collection import Collection, ExportAnkiPackageOptions

READINGS = [
    ("jp-1", "日本語[にほんご]を 話[はな]す", "to speak Japanese"),
    ("jp-2", "今日[きょう]は 天気[てんき]が いい", "the weather is nice today"),
    ("jp-3", " 音[おと][sound:oto.mp3]", "a sound"),
]


def main(out):
    with tempfile.TemporaryDirectory() as tmp:
        col = Collection(os.path.join(tmp, "collection.anki2"))
        models = col.models
        model = models.new("Japanese reading")
        for name in ["Reading", "Meaning"]:
            models.add_field(model, models.new_field(name))
        reading = models.new_template("Reading")
        reading["qfmt"] = "{{kanji:Reading}}"
        reading["afmt"] = "{{FrontSide}}<hr id=answer>{{furigana:Reading}}<br>{{Meaning}}"
        models.add_template(model, reading)
        kana = models.new_template("Kana")
        kana["qfmt"] = "{{kana:Reading}}"
        kana["afmt"] = "{{FrontSide}}<hr id=answer>{{kanji:Reading}}"
        models.add_template(model, kana)
        models.add(model)
        deck = col.decks.id("Japanese")
        rendered = {}
        for guid, text, meaning in READINGS:
            note = col.new_note(models.by_name("Japanese reading"))
            note["Reading"] = text
            note["Meaning"] = meaning
            note.guid = guid
            col.add_note(note, deck)
            for card in note.cards():
                rendered[f"{guid}/{card.ord}"] = {
                    "question": card.question(),
                    "answer": card.answer(),
                }
        col.export_anki_package(
            out_path=os.path.join(out, "japanese.apkg"),
            options=ExportAnkiPackageOptions(
                with_scheduling=False, with_media=False, legacy=False
            ),
            limit=None,
        )
        col.close()
        occlusion = Collection(os.path.join(tmp, "occlusion.anki2"))
        io = occlusion.new_note(occlusion.models.by_name("Image Occlusion"))
        io["Occlusion"] = (
            "{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=.1:oi=1}}"
            "{{c2::image-occlusion:rect:left=.5:top=.5:width=.1:height=.1:oi=1:text=Aorta}}"
        )
        io["Image"] = '<img src="heart.png">'
        io["Header"] = "The heart"
        io.guid = "io-1"
        occlusion.add_note(io, occlusion.decks.id("Anatomy"))
        rendered["occlusion"] = {name: io[name] for name in io.keys()}
        occlusion.export_anki_package(
            out_path=os.path.join(out, "occlusion.apkg"),
            options=ExportAnkiPackageOptions(
                with_scheduling=False, with_media=False, legacy=False
            ),
            limit=None,
        )
        occlusion.close()
    json.dump(rendered, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
