#!/usr/bin/env bash
# The README's screenshots, made by the app itself from the sample listings.
# Usage: assets/screenshots.sh [WINNOW]   (default: .venv/bin/winnow), from the repo root.
# Needs pngquant and optipng to keep the PNGs small (apt-get install pngquant optipng).
set -euo pipefail
winnow=${1:-.venv/bin/winnow}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A fresh home: no settings of yours in the pictures, and paths read "~/.config/winnow".
export HOME="$work/home"
unset WINNOW_CONFIG_DIR XDG_CONFIG_HOME WINNOW_DB
db="$work/library.db"
w() { "$winnow" --db "$db" "$@" >/dev/null; }
id_of() {  # the id of the paper whose title starts with $1
    "$winnow" --db "$db" list --json --limit 1 "title:\"$1\"" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])'
}

w import seeds/*.txt
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

shot() {  # NAME THEME [winnow gui options...]
    local name=$1 theme=$2
    shift 2
    WINNOW_THEME=$theme "$winnow" --db "$db" gui --screenshot "$work/$name.png" "$@"
    pngquant --force --quality 70-90 --output "assets/$name.png" "$work/$name.png"
    optipng -quiet -o2 "assets/$name.png"
}
shot screenshot light --keys "g a j"
shot reader light --search "selectable kan" --keys "escape A j"
shot tags light --keys "t s a"
shot keys light --keys "?"
shot dark dark --search "kolmogorov" --keys "j"
ls -l assets/*.png
