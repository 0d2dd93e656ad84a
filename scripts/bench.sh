#!/usr/bin/env bash
# Whole-process timings of the release `recall` binary: median wall time over repeated runs
# (hyperfine when installed, else a shell loop) and peak RSS (max of /usr/bin/time %M).
# Every run gets a fixed clock and an empty config file (RECALL_CONFIG names one, unless
# set; a file RECALL_CONFIG names must exist).
#
# Usage: scripts/bench.sh               the everyday commands, each run on a fresh, empty
#                                       database (RECALL_DB in a new temp dir)
#        scripts/bench.sh --large DIR   whole commands at scale, on a collection written by
#                                       `cargo run --release --example gen_collection -- --out DIR`
#                                       (100,000 cards, 1,000,000 reviews by default), in two
#                                       scenarios: the day after its last review, back after
#                                       nine months (about 68,000 cards overdue), and the
#                                       evening of its last day (cards on learning steps); then,
#                                       when Python's `anki` module is installed, Anki's open
#                                       plus first queue build on a collection of the same size
#                                       (scripts/anki_bench.py, which builds it once in
#                                       ANKI_DIR, default DIR/anki, in about a minute;
#                                       ANKI=0 skips it); and `sync` in four cases (SYNC=0
#                                       skips them, SYNC_RUNS runs each)
# Knobs: RUNS, WARMUP, MEM_RUNS, SKIP_BUILD=1, FORCE_LOOP=1, RECALL_BIN=PATH (time that binary,
# an earlier build say, instead of building); SMOKE=1 runs each command once and
# reports that run only (to check the script, not to measure); RECALL_NOW set: that one day
# instead of the scenarios; ONLY=REGEX: only the commands whose label matches.
# Results and targets: BENCHMARKS.md.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

large=""
while (($#)); do
    case "$1" in
    --large) large="${2:?bench.sh: --large needs a directory}"; shift 2 ;;
    --large=*) large="${1#--large=}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench.sh: unknown argument \`$1\` (try --help)" >&2; exit 2 ;;
    esac
done
if [[ -n "$large" ]]; then
    [[ -f "$large/recall.db" && -d "$large/decks" ]] || {
        echo "bench.sh: $large holds no recall.db and decks/; write them with" >&2
        echo "  cargo run --release --example gen_collection --" \
            "--cards 100000 --reviews 1000000 --out $large" >&2
        exit 2
    }
    large="$(cd "$large" && pwd)"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/recall-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Commands to time, one entry each: "label|stdin|arguments|database". stdin is the line fed to
# the command (empty: an empty stdin); arguments are split on spaces. database is `fresh` (the
# default: a new, empty database every run) or `large` (a copy of DIR/recall.db made once, with
# RECALL_DECKS=DIR/decks), or `restored`: another copy of DIR/recall.db with DIR/decks copied
# beside it by `cp -a` (times kept, inodes and change times new), as a restored backup is, and
# a second `cp -a` of the decks elsewhere: each of the two commands that use it names one of
# the two directories with --decks (issue 25 item 8: every `rebuild` of the first took 2.6-3.5
# s, the catalog finding each deck file twice). Add later commands here.
COMMANDS=(
    "status||status"
    "launch to first card (review --limit 1, stdin q)|q|review --limit 1"
    "schedule --grades 4,4,3,5||schedule --grades 4,4,3,5"
    "compile --check (the shipped guide)||compile --check"
    "import (Anki text file, 100,000 lines, one deck)||import $work/text-100k.txt"
)
# With --large. The import reads an Anki text file exported once from the large collection
# (one line per card) into a fresh database with only the bundled decks, as a new learner
# would; the copy the other commands share is only ever rebuilt, which leaves it as it was.
LARGE_COMMANDS=(
    "status||status|large"
    "launch to first card (review --limit 1, stdin q)|q|review --limit 1|large"
    "rebuild||rebuild|large"
    "rebuild, restored backup (decks beside the db, given to --decks too)||--decks $work/restored/decks rebuild|restored"
    "rebuild, restored backup (a second copy of its decks, --decks)||--decks $work/restored-copy rebuild|restored"
    "stats||stats|large"
    "export --format apkg||export --format apkg -o $work/export.apkg|large"
    "import (Anki text file, a line per card)||import $work/large-anki.txt|fresh"
    "compile --check (the shipped guide)||compile --check|fresh"
)

if [[ -n "$large" ]]; then
    # Each of these runs takes seconds, not milliseconds.
    RUNS="${RUNS:-5}"
    WARMUP="${WARMUP:-1}"
    MEM_RUNS="${MEM_RUNS:-1}"
    COMMANDS=("${LARGE_COMMANDS[@]}")
fi
RUNS="${RUNS:-30}"
WARMUP="${WARMUP:-3}"
MEM_RUNS="${MEM_RUNS:-5}"
SMOKE="${SMOKE:-0}"
# Each scenario: "name|RECALL_NOW". The large collection's history runs up to 2026-03-01 (the
# generator's default "as of" day): timed that day, its learner has a two-year streak and a
# day's reviews due, as a daily learner would; nine months later the learner comes back from a
# break to about 68,000 overdue cards.
if [[ -n "${RECALL_NOW:-}" ]]; then
    SCENARIOS=("RECALL_NOW=$RECALL_NOW|$RECALL_NOW")
elif [[ -n "$large" ]]; then
    # The evening of the last day of the history: its failed and new cards are on their
    # learning steps (about 240 due now, in the state since schema v9) beside 1,650 answers
    # given that day, whose siblings the queue must leave for tomorrow.
    SCENARIOS=("the day after the last review|2026-03-01T09:00:00Z"
        "back after nine months|2026-12-01T09:00:00Z"
        "the last evening, cards on learning steps|2026-02-28T19:00:00Z")
else
    SCENARIOS=("everyday|2026-03-02T09:00:00Z")
fi
export RECALL_NOW="${SCENARIOS[0]#*|}"
# An empty config file: RECALL_CONFIG naming a missing file is an error.
: > "$work/empty-config.toml"
export RECALL_CONFIG="${RECALL_CONFIG:-$work/empty-config.toml}"
export NO_COLOR=1

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [[ "${SKIP_BUILD:-0}" != 1 && -z "${RECALL_BIN:-}" ]]; then
    cargo build --release
fi
bin="${RECALL_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/recall}"
[[ -x "$bin" ]] || { echo "bench.sh: no binary at $bin" >&2; exit 1; }

# The everyday import: 100,000 Basic notes of one deck in Anki's text format (15.8 MB), all
# new to the database (issue 28 item 8: at most 60 MB peak).
awk 'BEGIN { print "#separator:tab"; print "#html:true"; print "#notetype:Basic"; print "#deck:Big deck";
    for (i = 1; i <= 100000; i++)
        printf "Question %d: what does item %d of the list hold, and why?\tAnswer %d, padded to the length of a real answer: lorem ipsum dolor sit amet, consectetur.\n", i, i, i }' \
    > "$work/text-100k.txt"

# Each run's database lives in $work/run, removed before every run (the store creates it).
export RECALL_DB="$work/run/recall.db"
fresh_db() { rm -rf "$work/run"; }

# Points RECALL_DB (and, for the large collection, RECALL_DECKS) at the database a command
# runs on: `fresh` or `large`.
use_db() {
    if [[ "${1:-fresh}" == large ]]; then
        export RECALL_DB="$work/large/recall.db" RECALL_DECKS="$large/decks"
    elif [[ "$1" == restored ]]; then
        export RECALL_DB="$work/restored/recall.db"
        unset RECALL_DECKS
    else
        export RECALL_DB="$work/run/recall.db"
        # At scale, a fresh database comes with the bundled decks only.
        if [[ -n "$large" ]]; then unset RECALL_DECKS; fi
    fi
}

if [[ -n "$large" ]]; then
    mkdir -p "$work/large"
    cp "$large/recall.db" "$work/large/recall.db"
    [[ -f "$large/recall.db-wal" ]] && cp "$large/recall.db-wal" "$work/large/recall.db-wal"
    mkdir -p "$work/restored"
    cp "$large/recall.db" "$work/restored/recall.db"
    [[ -f "$large/recall.db-wal" ]] && cp "$large/recall.db-wal" "$work/restored/recall.db-wal"
    cp -a "$large/decks" "$work/restored/decks"
    cp -a "$large/decks" "$work/restored-copy"
    use_db large
    "$bin" export --format anki-txt -o "$work/large-anki.txt" >/dev/null
    echo "bench.sh: $large: $(find "$large/decks" -name '*.toml' | wc -l) deck files;" \
        "exported $(grep -vc '^#' "$work/large-anki.txt") cards to an Anki text file for import" >&2
fi

use_hyperfine=0
if [[ "${FORCE_LOOP:-0}" != 1 ]] && command -v hyperfine >/dev/null 2>&1; then
    use_hyperfine=1
    # --input (hyperfine >= 1.16) lets us skip the shell; older versions redirect in `sh -c`.
    hyperfine_input=0
    if hyperfine --help 2>/dev/null | grep -q -- '--input'; then hyperfine_input=1; fi
fi
time_bin=""
[[ -x /usr/bin/time ]] && time_bin=/usr/bin/time

# Prints "median_ms min_ms max_ms cpu_ms how" for one command (cpu: user + system, the mean
# over the runs as hyperfine reports it). The command runs without a shell (-N)
# unless it needs stdin and this hyperfine has no --input (< 1.16): then `sh -c` redirects it
# and hyperfine subtracts its measured shell start-up time.
time_hyperfine() {
    local stdin_file="$1"; shift
    local csv="$work/hyperfine.csv" cmd how
    local args=(--runs "$RUNS" --warmup "$WARMUP" --prepare "rm -rf '$work/run'"
        --export-csv "$csv" --style basic)
    cmd="$(quote "$bin" "$@")"
    if [[ ! -s "$stdin_file" ]]; then
        hyperfine "${args[@]}" -N "$cmd" >&2 && how="no shell"
    elif [[ "$hyperfine_input" == 1 ]]; then
        hyperfine "${args[@]}" -N --input "$stdin_file" "$cmd" >&2 && how="no shell"
    else
        hyperfine "${args[@]}" "$cmd < $(quote "$stdin_file")" >&2 && how="sh -c, corrected"
    fi
    # CSV columns: command,mean,stddev,median,user,system,min,max (seconds). The command may
    # hold quoted commas, so count fields from the end.
    awk -F, -v how="$how" 'NR == 2 {
        printf "%.2f %.2f %.2f %.2f %s\n", $(NF-4) * 1000, $(NF-1) * 1000, $NF * 1000,
            ($(NF-3) + $(NF-2)) * 1000, how
    }' "$csv"
}

# Words joined by spaces, each quoted for sh only when it needs it (hyperfine -N splits on
# spaces and honours quotes).
quote() {
    local word out=()
    for word in "$@"; do
        if [[ "$word" =~ ^[A-Za-z0-9_./,:=@%+-]+$ ]]; then out+=("$word"); else out+=("'${word//\'/\'\\\'\'}'"); fi
    done
    printf '%s' "${out[*]}"
}

# The fallback: a loop with bash's microsecond clock (`time -f %e` only has 10 ms steps); the
# CPU time (user + system, median) comes from bash's `time` keyword, in 1 ms steps. On a
# machine shared with other work, CPU time moves much less than wall time.
time_loop() {
    local stdin_file="$1"; shift
    local i start end samples=() cpu=() user system TIMEFORMAT='%3U %3S'
    for ((i = 0; i < WARMUP + RUNS; i++)); do
        fresh_db
        start="${EPOCHREALTIME/[.,]/}"
        { time "$bin" "$@" <"$stdin_file" >/dev/null 2>&1; } 2>"$work/cpu"
        end="${EPOCHREALTIME/[.,]/}"
        read -r user system <"$work/cpu"
        ((i >= WARMUP)) && samples+=("$((end - start))") &&
            cpu+=("$(awk -v u="$user" -v s="$system" 'BEGIN { printf "%d", (u + s) * 1000000 }')")
    done
    median_of() { sort -n | awk '{ v[NR] = $1 } END { printf "%d", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
    local cpu_median
    cpu_median="$(printf '%s\n' "${cpu[@]}" | median_of)"
    printf '%s\n' "${samples[@]}" | sort -n | awk -v cpu="$cpu_median" '
        { v[NR] = $1 }
        END {
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.2f %.2f %.2f %.2f loop\n", m / 1000, v[1] / 1000, v[NR] / 1000, cpu / 1000
        }'
}

# Prints the peak RSS in MB over MEM_RUNS runs, or "n/a" without /usr/bin/time.
peak_rss() {
    local stdin_file="$1"; shift
    [[ -n "$time_bin" ]] || { echo "n/a"; return; }
    local i kb peak=0
    for ((i = 0; i < MEM_RUNS; i++)); do
        fresh_db
        "$time_bin" -f %M -o "$work/rss" "$bin" "$@" <"$stdin_file" >/dev/null
        kb="$(tail -n 1 "$work/rss")"
        ((kb > peak)) && peak="$kb"
    done
    awk -v kb="$peak" 'BEGIN { printf "%.1f\n", kb / 1024 }'
}

if [[ "$use_hyperfine" == 1 ]]; then
    method="hyperfine $(hyperfine --version | awk '{ print $2 }'), $RUNS runs + $WARMUP warm-up"
else
    method="shell loop (EPOCHREALTIME), $RUNS runs + $WARMUP warm-up"
fi
[[ -n "$time_bin" ]] || echo "bench.sh: /usr/bin/time not found; skipping peak memory" >&2

# Times every command of COMMANDS (matching ONLY) at RECALL_NOW and prints the table.
run_scenario() {
    local scenario="$1" entry label input arguments database argv stdin_file start end first
    local rss median min max cpu how rows=()
    for entry in "${COMMANDS[@]}"; do
        IFS='|' read -r label input arguments database <<<"$entry"
        [[ -z "${ONLY:-}" || "$label" =~ $ONLY ]] || continue
        read -r -a argv <<<"$arguments"
        use_db "$database"
        stdin_file="$work/stdin"
        if [[ -n "$input" ]]; then printf '%s\n' "$input" >"$stdin_file"; else : >"$stdin_file"; fi
        # A failing command would make the timings meaningless: run it once, loudly, first.
        fresh_db
        start="${EPOCHREALTIME/[.,]/}"
        "$bin" "${argv[@]}" <"$stdin_file" >/dev/null || {
            echo "bench.sh: \`recall $arguments\` failed" >&2
            exit 1
        }
        end="${EPOCHREALTIME/[.,]/}"
        first="$(awk -v us="$((end - start))" 'BEGIN { printf "%.2f", us / 1000 }')"
        echo "== $scenario: $label (first run: $first ms)" >&2
        if [[ "$SMOKE" == 1 ]]; then
            rss="$(MEM_RUNS=1 peak_rss "$stdin_file" "${argv[@]}")"
            rows+=("$label|$first|$first|$first|-|$rss|single run")
            continue
        fi
        if [[ "$use_hyperfine" == 1 ]]; then
            read -r median min max cpu how < <(time_hyperfine "$stdin_file" "${argv[@]}")
        else
            read -r median min max cpu how < <(time_loop "$stdin_file" "${argv[@]}")
        fi
        [[ -n "${median:-}" ]] || { echo "bench.sh: no timing for \`recall $arguments\`" >&2; exit 1; }
        rss="$(peak_rss "$stdin_file" "${argv[@]}")"
        rows+=("$label|$median|$min|$max|$cpu|$rss|$how")
    done

    echo
    echo "### $scenario"
    echo
    echo "recall $("$bin" --version | awk '{ print $2 }'), RECALL_NOW=$RECALL_NOW, $databases"
    echo "timing: $method; memory: $memory"
    echo
    printf '| %-50s | %11s | %8s | %8s | %8s | %13s | %-17s |\n' command "median (ms)" "min (ms)" \
        "max (ms)" "CPU (ms)" "peak RSS (MB)" "timed"
    echo '|----------------------------------------------------|-------------|----------|----------|----------|---------------|-------------------|'
    local row
    for row in "${rows[@]}"; do
        IFS='|' read -r label median min max cpu rss how <<<"$row"
        printf '| %-50s | %11s | %8s | %8s | %8s | %13s | %-17s |\n' "$label" "$median" "$min" "$max" \
            "$cpu" "$rss" "$how"
    done
}

if [[ -n "$large" ]]; then
    databases="copy of $large/recall.db with RECALL_DECKS=$large/decks (import: fresh database)"
else
    databases="fresh database per run"
fi
if [[ -n "$time_bin" ]]; then memory="max RSS of $MEM_RUNS runs (/usr/bin/time %M)"; else
    memory="skipped (no /usr/bin/time)"; fi
if [[ "$SMOKE" == 1 ]]; then
    method="SMOKE=1: one run each, not a measurement"
    memory="one run"
fi
for scenario in "${SCENARIOS[@]}"; do
    export RECALL_NOW="${scenario#*|}"
    if [[ -n "$large" ]]; then
        use_db large
        echo "bench.sh: ${scenario%%|*}: $("$bin" status --json | grep -E '"(due|new)"' | tr -d ' \n')" >&2
    fi
    run_scenario "${scenario%%|*}"
done

# `recall sync` at scale (issue 28): the large collection's first sync to an empty folder, its
# next with nothing new, a second (empty) device merging its million entries, and that device's
# next with nothing new. Each case is timed with hyperfine, whose --prepare puts the state
# before it back (a fresh copy of the database and an empty folder; a deleted second
# database, the page cache's writes flushed), then one run under /usr/bin/time gives its peak
# RSS. SYNC=0 skips them;
# SYNC_RUNS runs each (default 5).
if [[ -n "$large" && "${SYNC:-1}" != 0 && "$use_hyperfine" == 1 ]]; then
    export RECALL_NOW="2026-03-02T09:00:00Z"
    use_db large
    sync_dir="$work/sync"
    mkdir -p "$sync_dir/a" "$sync_dir/b"
    cp "$work/large/recall.db" "$sync_dir/large.db"
    [[ -f "$work/large/recall.db-wal" ]] && cp "$work/large/recall.db-wal" "$sync_dir/large.db-wal"
    sync_runs="${SYNC_RUNS:-5}"
    [[ "$SMOKE" == 1 ]] && sync_runs=1
    # "label|prepare (sh)|database"
    SYNC_CASES=(
        "first sync to an empty folder (writes 1M entries)|rm -rf '$sync_dir/folder' '$sync_dir/a'/*; cp '$sync_dir'/large.db* '$sync_dir/a/' && mv '$sync_dir/a/large.db' '$sync_dir/a/recall.db' && if [ -f '$sync_dir/a/large.db-wal' ]; then mv '$sync_dir/a/large.db-wal' '$sync_dir/a/recall.db-wal'; fi|$sync_dir/a/recall.db"
        "next sync, nothing new|true|$sync_dir/a/recall.db"
        "second device merging the 1M entries|rm -f '$sync_dir/b'/recall.db*|$sync_dir/b/recall.db"
        "second device's next sync, nothing new|true|$sync_dir/b/recall.db"
    )
    sync_rows=()
    for entry in "${SYNC_CASES[@]}"; do
        IFS='|' read -r label prepare database <<<"$entry"
        [[ -z "${ONLY:-}" || "$label" =~ $ONLY ]] || continue
        export RECALL_DB="$database"
        echo "== sync: $label" >&2
        # A script, as hyperfine -N runs its --prepare without a shell too. It ends with a
        # `sync`: the run before wrote hundreds of MB, and their writeback, landing in the next
        # run, cost it 0.4 s (4.35 -> 4.75 s merging 1M), which a learner's two syncs apart do
        # not pay.
        printf '%s\nsync\n' "$prepare" >"$work/sync-prepare.sh"
        sh "$work/sync-prepare.sh"
        rss="n/a"
        if [[ -n "$time_bin" ]]; then
            "$time_bin" -f %M -o "$work/rss" "$bin" sync "$sync_dir/folder" >/dev/null
            rss="$(awk -v kb="$(tail -n 1 "$work/rss")" 'BEGIN { printf "%.1f", kb / 1024 }')"
        fi
        hyperfine --runs "$sync_runs" --prepare "sh $work/sync-prepare.sh" --export-csv "$work/sync.csv" \
            --style basic -N "$(quote "$bin" sync "$sync_dir/folder")" >&2
        sync_rows+=("$label|$(awk -F, 'NR == 2 { printf "%.0f|%.0f|%.0f|%.0f", $(NF-4) * 1000,
            $(NF-1) * 1000, $NF * 1000, ($(NF-3) + $(NF-2)) * 1000 }' "$work/sync.csv")|$rss")
    done
    echo
    echo "### sync (RECALL_NOW=$RECALL_NOW, hyperfine, $sync_runs runs each, state put back before each)"
    echo
    printf '| %-50s | %11s | %8s | %8s | %8s | %13s |\n' command "median (ms)" "min (ms)" \
        "max (ms)" "CPU (ms)" "peak RSS (MB)"
    echo '|----------------------------------------------------|-------------|----------|----------|----------|---------------|'
    for row in "${sync_rows[@]}"; do
        IFS='|' read -r label median min max cpu rss <<<"$row"
        printf '| %-50s | %11s | %8s | %8s | %8s | %13s |\n' "$label" "$median" "$min" "$max" "$cpu" "$rss"
    done
fi

# Anki's own library on a collection of the same size, most of it overdue: open + first queue
# build, in-process, in the same run (BENCHMARKS.md compares it with `recall status`).
if [[ -n "$large" && "${ANKI:-1}" != 0 ]]; then
    if python3 -c "import anki" 2>/dev/null; then
        runs=$((RUNS > 7 ? RUNS : 7))
        [[ "$SMOKE" == 1 ]] && runs=1
        echo
        echo "### Anki, the same size, most cards overdue (scripts/anki_bench.py)"
        echo
        python3 "$root/scripts/anki_bench.py" --runs "$runs" --dir "${ANKI_DIR:-$large/anki}" | tail -n 1
    else
        echo "bench.sh: Python's anki module is not installed (python3 -m pip install anki);" \
            "skipping the comparison with Anki" >&2
    fi
fi
