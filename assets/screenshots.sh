#!/usr/bin/env bash
# The README's screenshots, made by the app itself from the sample listings.
# Usage, from the repo root:
#   assets/screenshots.sh [WINNOW]                 render each with `winnow gui --screenshot`
#   REAL_WINDOW=path/to/real-window assets/screenshots.sh
#       or in a real X server (Xvfb) with real key presses (xdotool), each PNG the screen
#   OUT=DIR ...                                    write them to DIR instead of assets/
# Needs pngquant and optipng to keep the PNGs small (apt-get install pngquant optipng).
set -euo pipefail
winnow=${1:-.venv/bin/winnow}
out=${OUT:-assets}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A fresh home: no settings of yours in the pictures, and paths read "~/.config/winnow".
export HOME="$work/home"
mkdir -p "$HOME"
unset WINNOW_CONFIG_DIR XDG_CONFIG_HOME WINNOW_DB
db="$work/library.db"
w() { "$winnow" --db "$db" "$@" >/dev/null; }
id_of() {  # the id of the paper whose title starts with $1
    "$winnow" --db "$db" list --json --limit 1 "title:\"$1\"" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])'
}

# The Statistics page draws a history. With faketime installed (apt-get install
# faketime), the samples are imported eight weeks ago and some of their papers decided
# on earlier days, one `winnow` command each under a clock set back to that moment, as
# weeks of triage would leave them; without it, everything happens today.
if command -v faketime >/dev/null; then
    at() { faketime "$1" "$winnow" --db "$db" "${@:2}" >/dev/null; }
else
    at() { "$winnow" --db "$db" "${@:2}" >/dev/null; }
fi
at "$(date -d '56 days ago' '+%Y-%m-%d 09:00:00')" import seeds/*.txt
kan=$(id_of "Activation Space Selectable")
koala=$(id_of "KOALA")
ferret=$(id_of "Ferret")
kat=$(id_of "Kolmogorov-Arnold Transformer")
llm=$(id_of "Large Language Models Orchestrating")
w tag "$kan" "$kat" --add kan
w tag "$koala" --add diffusion
w tag "$ferret" "$llm" --add safety
w tag "$llm" --add agents
w read "$(id_of "Intriguing Properties")" "$(id_of "LLaMA-NAS")"
w star "$kan" "$kat" "$(id_of "Knowledge-Aware Federated")"
w annotate "$kan" --colour yellow --comment "The core idea: learnable activations on edges." \
    --quote "Kolmogorov-Arnold Network (KAN), based on nonlinear additive connections"
w annotate "$kan" --colour green \
    --quote "we propose an activation space Selectable KAN (S-KAN)."
w annotate "$kan" --colour blue --comment "Check the function-fitting benchmarks." \
    --quote "Our approach outperforms baseline methods in seven representative function fitting tasks"
w note "$kan" "Compare with KAN 2.0 and the MLP baselines before citing."
# Sessions on about half of the last 55 days: 2-9 papers each, 15 s to 2 min apart
# (a fixed seed), none of the papers the other shots show by name.
keep_ids="$kan $koala $ferret $kat $llm"
"$winnow" --db "$db" list --json --limit 1000 "is:inbox sort:added" |
    KEEP="$keep_ids" python3 -c '
import datetime, json, os, random, sys
keep = set(map(int, os.environ["KEEP"].split()))
# The list as "All papers" shows it first stays mostly undecided: the history is drawn
# from the later papers.
ids = [p["id"] for p in json.load(sys.stdin) if p["id"] not in keep][60:]
rng = random.Random(7)
rng.shuffle(ids)
now = datetime.datetime.now().replace(microsecond=0)
verbs = ["done"] * 8 + ["skip"] * 7 + ["shortlist"] * 2 + ["later"] * 3
for days in range(55, 0, -1):
    if rng.random() < 0.5 or not ids:
        continue
    moment = (now - datetime.timedelta(days=days)).replace(
        hour=rng.randrange(8, 21), minute=rng.randrange(60), second=0)
    for _ in range(rng.randrange(2, 10)):
        if not ids:
            break
        moment += datetime.timedelta(seconds=rng.randrange(15, 120))
        print(moment.strftime("%Y-%m-%d %H:%M:%S"), rng.choice(verbs), ids.pop())
' | while read -r day time verb id; do
        at "$day $time" "$verb" "$id"
    done
mkdir -p "$out"

keep() {  # NAME PNG: make it small and put it in place
    pngquant --force --quality 70-90 --output "$out/$1.png" "$2"
    optipng -quiet -o2 "$out/$1.png"
}

shot() {  # NAME THEME SEARCH KEYS (KEYS: Qt key names, as `winnow gui --keys` reads them)
    local name=$1 theme=$2 search=$3 keys=$4
    if [ -n "${REAL_WINDOW:-}" ]; then
        # xdotool's names; `/ text Return` searches as a person types. The first wait
        # lets the start-up status line (the daily backup) go.
        local xkeys=(sleep:9) key
        [ -n "$search" ] && xkeys+=(slash "type:$search" Return sleep:1)
        for key in $keys; do
            case "$key" in
                escape) xkeys+=(Escape) ;;
                "?") xkeys+=(question) ;;
                [A-Z]) xkeys+=("shift+$(tr 'A-Z' 'a-z' <<<"$key")") ;;
                *) xkeys+=("$key") ;;
            esac
        done
        xkeys+=(sleep:1)
        rm -rf "$work/$name"
        WINNOW_THEME=$theme WINNOW_ARGS="--db $db" "$REAL_WINDOW" "$work/$name" "${xkeys[@]}" \
            >/dev/null
        keep "$name" "$(ls "$work/$name"/*.png | sort | tail -n 1)"
    else
        WINNOW_THEME=$theme "$winnow" --db "$db" gui --screenshot "$work/$name.png" \
            ${search:+--search "$search"} --keys "$keys"
        keep "$name" "$work/$name.png"
    fi
}
shot screenshot light "" "g a j"
shot reader light "kan selectable" ""
shot tags light "" "t s a"
shot keys light "" "?"
shot dark dark "kolmogorov arnold" "j"
shot stats light "" "g t"
ls -l "$out"/*.png
