#!/usr/bin/env bash
# Coverage-guided fuzzing of the chapter parser (libFuzzer, through swiftc -sanitize=fuzzer).
#
#   Fuzz/run.sh                  # fuzz for $FUZZ_SECONDS (60) seconds
#   FUZZ_SECONDS=600 Fuzz/run.sh
#   Fuzz/run.sh path/to/input    # replay one input (e.g. a crash) and exit
#
# It compiles Fuzz/ChapterParserFuzz.swift with the parser's own files (Sources/Notebook/Parse,
# which need nothing else of the package but cmark and the error protocol they adopt) under libFuzzer and AddressSanitizer, then
# fuzzes a scratch copy of Fuzz/corpus/ (the seeds stay as committed) plus every saved crash in
# Tests/NotebookTests/Fixtures/parser-crashes/. On a crash, timeout or out-of-memory it prints
# the input's path and exits non-zero; save the input as a regression fixture there, fix the
# parser, and run it again.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFTC=${SWIFTC:-swiftc}
SECONDS_BUDGET=${FUZZ_SECONDS:-60}
WORK=${FUZZ_WORK:-.build/fuzz}
BINARY="$WORK/chapter-parser-fuzz"
CRASHES=Tests/NotebookTests/Fixtures/parser-crashes
mkdir -p "$WORK"

sources=(Fuzz/ChapterParserFuzz.swift Sources/Notebook/Parse/*.swift Sources/Notebook/Pipeline/UserFacingError.swift)
if [ ! -x "$BINARY" ] || [ -n "$(find "${sources[@]}" Fuzz/run.sh -newer "$BINARY" 2>/dev/null)" ]; then
    echo "fuzz: compiling ${#sources[@]} files with -sanitize=fuzzer,address" >&2
    "$SWIFTC" -sanitize=fuzzer,address -parse-as-library -O -g -module-name NotebookFuzz -use-ld=lld \
        -I Sources/Ccmark "${sources[@]}" -lcmark -o "$BINARY.tmp"
    mv "$BINARY.tmp" "$BINARY"
fi

options=(-timeout=10 -rss_limit_mb=4096 -max_len=8192 -malloc_limit_mb=4096 -dict=Fuzz/markdown.dict -print_final_stats=1)
if [ $# -gt 0 ]; then
    exec "$BINARY" "${options[@]}" "$@"
fi

# Fuzz a scratch copy of the seeds, so a run adds nothing to the repository.
corpus="$WORK/corpus"
artifacts="$WORK/artifacts"
rm -rf "$corpus" "$artifacts"
mkdir -p "$corpus" "$artifacts"
cp Fuzz/corpus/* "$corpus/"
mkdir -p "$CRASHES"

set +e
"$BINARY" "${options[@]}" -max_total_time="$SECONDS_BUDGET" -artifact_prefix="$artifacts/" \
    "$corpus" "$CRASHES" 2>&1 | tee "$WORK/fuzz.log" \
    | grep --line-buffered -E "^#[0-9]+[[:space:]]+(INITED|DONE)|ERROR|Test unit written|SUMMARY|stat::" >&2
status=${PIPESTATUS[0]}
set -e

found=$(find "$artifacts" -type f | sort)
if [ "$status" -ne 0 ] || [ -n "$found" ]; then
    echo "fuzz: the parser failed (libFuzzer exit $status); full log: $WORK/fuzz.log" >&2
    for input in $found; do
        echo "fuzz: crashing input: $input  (replay: Fuzz/run.sh $input; keep it: cp $input $CRASHES/<name>)" >&2
    done
    exit 1
fi
echo "fuzz: no crash in ${SECONDS_BUDGET}s ($(grep -c . <<<"$(ls "$corpus")") inputs in the corpus)" >&2
