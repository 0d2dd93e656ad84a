#!/usr/bin/env bash
# Wall time and peak RSS (/usr/bin/time) of `recall sync --anki` at scale, on a collection
# written by scripts/anki_sync_bench.py (100,000 cards, 1,000,000 answers by default):
#   push     recall holds the million answers, the collection none: all go to Anki
#   pull     the collection holds them, recall none: all come into recall's log
#   whole    both hold them and no sync mark is left: both histories read, nothing written
#   nothing  a second sync with nothing new (the mark from the last sync says so)
# Usage: scripts/anki_sync_bench.sh [DIR]   (DIR: where to build, default a new temp dir)
# Knobs: RECALL_BIN=PATH (else the release build), NOTES, PER_CARD, WARM=1 (build each
# database's catalog first with `recall status`, so that push and pull time the sync alone:
# an import leaves no catalog, and the first command after it parses every deck file).
# Targets: issue 28 item 9 (nothing new <= 0.3 s, 1M answers <= 5 s, peak <= 60 MB).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-$(mktemp -d)}
bin=${RECALL_BIN:-$root/target/release/recall}
[[ -n ${RECALL_BIN:-} ]] || (cd "$root" && cargo build --release --quiet)
python3 "$root/scripts/anki_sync_bench.py" "$dir/anki" "${NOTES:-100000}" "${PER_CARD:-10}"
export TZ=UTC NO_COLOR=1 RECALL_NOW=2026-03-07T10:00:00Z
measure() { # LABEL DB COLLECTION
  local label=$1 db=$2 collection=$3
  printf '%-8s ' "$label"
  RECALL_DB=$db /usr/bin/time -f '%e s, peak %M KB' "$bin" sync --anki "$collection" 2>&1 >/dev/null | tail -1
}
setup() { # NAME PACKAGE: a recall database with the package imported
  mkdir -p "$dir/$1"
  printf 'learning_steps = []\nrelearning_steps = []\n' >"$dir/$1/config.toml"
  RECALL_CONFIG=$dir/$1/config.toml RECALL_DB=$dir/$1/recall.db "$bin" import "$2" >/dev/null
  if [[ -n ${WARM:-} ]]; then
    RECALL_CONFIG=$dir/$1/config.toml RECALL_DB=$dir/$1/recall.db "$bin" status >/dev/null
  fi
}
setup full "$dir/anki/deck.apkg"
setup bare "$dir/anki/empty/deck.apkg"
cp "$dir/anki/empty/collection.anki2" "$dir/push.anki2"
cp "$dir/anki/collection.anki2" "$dir/pull.anki2"
cp "$dir/anki/collection.anki2" "$dir/whole.anki2"
RECALL_CONFIG=$dir/full/config.toml measure push "$dir/full/recall.db" "$dir/push.anki2"
RECALL_CONFIG=$dir/full/config.toml measure nothing "$dir/full/recall.db" "$dir/push.anki2"
RECALL_CONFIG=$dir/bare/config.toml measure pull "$dir/bare/recall.db" "$dir/pull.anki2"
RECALL_CONFIG=$dir/full/config.toml measure whole "$dir/full/recall.db" "$dir/whole.anki2"
