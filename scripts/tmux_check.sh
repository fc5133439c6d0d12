#!/usr/bin/env bash
# Drive the real, installed `quizzer` in a detached 100x30 tmux session and check what the terminal shows.
#
#   scripts/tmux_check.sh            # uses the fixture bank under tests/app/banks and a throwaway data folder
#
# Exits 0 when every check passes; otherwise prints the failing check and the screen, and exits 1.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
bank="$root/tests/app/banks/good"
data="$(mktemp -d)"
session="quizzer-check-$$"
socket="quizzer-check-$$"  # a server of our own: no other tmux sessions or settings get involved
quizzer_bin="$(command -v quizzer)"

tmux() { command tmux -L "$socket" -f /dev/null "$@"; }

cleanup() {
    tmux kill-server 2>/dev/null || true
    rm -rf "$data"
}
trap cleanup EXIT

screen() { tmux capture-pane -p -t "$session"; }

# wait_for TEXT: poll the pane until TEXT shows (10 s at most).
wait_for() {
    for _ in $(seq 100); do
        if screen | grep -qF -- "$1"; then
            return 0
        fi
        sleep 0.1
    done
    echo "tmux_check: FAILED waiting for: $1" >&2
    screen >&2
    exit 1
}

# keys K...: one key at a time, at a brisk typing pace (keys sent in one burst can arrive mid screen switch).
keys() {
    for key in "$@"; do
        tmux send-keys -t "$session" "$key"
        sleep 0.15
    done
}
# A lone escape byte followed at once by another key reads as alt+key: give each escape its own moment.
esc() { keys Escape; sleep 0.3; }

start() {
    tmux new-session -d -s "$session" -x 100 -y 30 \
        "env -u COLUMNS -u LINES QUIZZER_DATA_DIR='$data' QUIZZER_BANK_PATH= '$quizzer_bin' --bank '$bank' $*; sleep 30"
    tmux resize-window -t "$session" -x 100 -y 30
}

# 1. Home: the menu, then the bank summary once the bank has loaded, with the packaged topics too.
start
wait_for "What would you like to do?"
wait_for "Fixture: LSTM gates"
wait_for "All topics"

# 2. Help for the home screen, then back.
keys "?"
wait_for "Keys: quizzer"
esc
wait_for "What would you like to do?"

# 3. Demos: the list, the parameter counter, a control change, back home.
keys 3
wait_for "LSTM gate stepper"
wait_for "Parameter counter"
keys End Enter
wait_for "2,560"
sleep 0.5  # the screen takes the keyboard a moment after its first frame
keys Tab Tab +
wait_for "H=21"
esc
esc
wait_for "What would you like to do?"

# 4. q quits.
keys q
for _ in $(seq 50); do
    screen | grep -qF "What would you like to do?" || break
    sleep 0.1
done
if screen | grep -qF "What would you like to do?"; then
    echo "tmux_check: FAILED: q did not quit" >&2
    exit 1
fi
tmux kill-session -t "$session"

# 5. A quiz straight from the command line: one GRU question, answered right, then the results.
start quiz --topic fixture-gru --seed 1
wait_for "Question 1/1"
wait_for "How many gates does a GRU have?"
keys 2
wait_for "✓ Correct"
wait_for "A reset gate r and an update gate z."
keys n
wait_for "Score 1/1 (100%)"
keys q
tmux kill-session -t "$session"

# 6. A filter that matches nothing: one line on stderr, exit code 2, no screen.
set +e
err="$(QUIZZER_DATA_DIR="$data" "$quizzer_bin" --bank "$bank" quiz --topic fixture-gru --kind numeric 2>&1 >/dev/null)"
code=$?
set -e
if [[ $code -ne 2 || "$err" != "quizzer: no questions match --topic fixture-gru --kind numeric" ]]; then
    echo "tmux_check: FAILED: empty filter gave exit $code and: $err" >&2
    exit 1
fi

echo "tmux_check: all checks passed"
