#!/usr/bin/env bash
# Whole-process timings of the release `recall` binary: median wall time over repeated runs
# (hyperfine when installed, else a shell loop) and peak RSS (max of /usr/bin/time %M).
# Every run gets a fresh, empty database (RECALL_DB in a new temp dir) and a fixed clock.
#
# Usage: scripts/bench.sh            (RUNS, WARMUP, MEM_RUNS, SKIP_BUILD=1, FORCE_LOOP=1 tune it)
# Results and targets: BENCHMARKS.md.
set -euo pipefail

# Commands to time, one entry each: "label|stdin|arguments". stdin is the line fed to the
# command (empty: an empty stdin); arguments are split on spaces. Add later commands here.
COMMANDS=(
    "status||status"
    "launch to first card (review --limit 1, stdin q)|q|review --limit 1"
    "schedule --grades 4,4,3,5||schedule --grades 4,4,3,5"
)

RUNS="${RUNS:-30}"
WARMUP="${WARMUP:-3}"
MEM_RUNS="${MEM_RUNS:-5}"
export RECALL_NOW="${RECALL_NOW:-2026-03-02T09:00:00Z}"
export NO_COLOR=1

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    cargo build --release
fi
bin="${CARGO_TARGET_DIR:-$root/target}/release/recall"
[[ -x "$bin" ]] || { echo "bench.sh: no binary at $bin" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/recall-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# Each run's database lives in $work/run, removed before every run (the store creates it).
export RECALL_DB="$work/run/recall.db"
fresh_db() { rm -rf "$work/run"; }

use_hyperfine=0
if [[ "${FORCE_LOOP:-0}" != 1 ]] && command -v hyperfine >/dev/null 2>&1; then
    use_hyperfine=1
    # --input (hyperfine >= 1.16) lets us skip the shell; older versions redirect in `sh -c`.
    hyperfine_input=0
    if hyperfine --help 2>/dev/null | grep -q -- '--input'; then hyperfine_input=1; fi
fi
time_bin=""
[[ -x /usr/bin/time ]] && time_bin=/usr/bin/time

# Prints "median_ms min_ms max_ms how" for one command. The command runs without a shell (-N)
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
        printf "%.2f %.2f %.2f %s\n", $(NF-4) * 1000, $(NF-1) * 1000, $NF * 1000, how
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

# The fallback: a loop with bash's microsecond clock (`time -f %e` only has 10 ms steps).
time_loop() {
    local stdin_file="$1"; shift
    local i start end samples=()
    for ((i = 0; i < WARMUP + RUNS; i++)); do
        fresh_db
        start="${EPOCHREALTIME/[.,]/}"
        "$bin" "$@" <"$stdin_file" >/dev/null
        end="${EPOCHREALTIME/[.,]/}"
        ((i >= WARMUP)) && samples+=("$((end - start))")
    done
    printf '%s\n' "${samples[@]}" | sort -n | awk '
        { v[NR] = $1 }
        END {
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.2f %.2f %.2f loop\n", m / 1000, v[1] / 1000, v[NR] / 1000
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

rows=()
for entry in "${COMMANDS[@]}"; do
    IFS='|' read -r label input arguments <<<"$entry"
    read -r -a argv <<<"$arguments"
    stdin_file="$work/stdin"
    if [[ -n "$input" ]]; then printf '%s\n' "$input" >"$stdin_file"; else : >"$stdin_file"; fi
    # A failing command would make the timings meaningless: run it once, loudly, first.
    fresh_db
    "$bin" "${argv[@]}" <"$stdin_file" >/dev/null || {
        echo "bench.sh: \`recall $arguments\` failed" >&2
        exit 1
    }
    echo "== $label" >&2
    if [[ "$use_hyperfine" == 1 ]]; then
        read -r median min max how < <(time_hyperfine "$stdin_file" "${argv[@]}")
    else
        read -r median min max how < <(time_loop "$stdin_file" "${argv[@]}")
    fi
    [[ -n "${median:-}" ]] || { echo "bench.sh: no timing for \`recall $arguments\`" >&2; exit 1; }
    rss="$(peak_rss "$stdin_file" "${argv[@]}")"
    rows+=("$label|$median|$min|$max|$rss|$how")
done

echo
echo "recall $("$bin" --version | awk '{ print $2 }'), RECALL_NOW=$RECALL_NOW, fresh database per run"
if [[ -n "$time_bin" ]]; then memory="max RSS of $MEM_RUNS runs (/usr/bin/time %M)"; else
    memory="skipped (no /usr/bin/time)"; fi
echo "timing: $method; memory: $memory"
echo
printf '| %-50s | %11s | %8s | %8s | %13s | %-17s |\n' command "median (ms)" "min (ms)" "max (ms)" \
    "peak RSS (MB)" "timed"
echo '|----------------------------------------------------|-------------|----------|----------|---------------|-------------------|'
for row in "${rows[@]}"; do
    IFS='|' read -r label median min max rss how <<<"$row"
    printf '| %-50s | %11s | %8s | %8s | %13s | %-17s |\n' "$label" "$median" "$min" "$max" "$rss" "$how"
done
