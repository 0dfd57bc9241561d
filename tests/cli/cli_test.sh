#!/usr/bin/env bash
# End-to-end behaviour of the `sluice` command line: conversions, stdin/stdout, the commands' output,
# exit statuses, error messages and what a failed convert leaves on disk.
#
# usage: SLUICE=path/to/sluice bash tests/cli/cli_test.sh
# Prints one PASS/FAIL line per check; exit 0 all passed, 1 any failed, 77 skipped (no binary).
set -u

if [[ -z "${SLUICE:-}" || ! -x "${SLUICE}" ]]; then
  echo "SKIP: set SLUICE to the sluice binary (got '${SLUICE:-}')"
  exit 77
fi
SLUICE=$(cd "$(dirname "$SLUICE")" && pwd)/$(basename "$SLUICE")
EX=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../examples" && pwd)  # the sample files

T=$(mktemp -d "${TMPDIR:-/tmp}/sluice-cli-XXXXXX")
BG_PIDS=()
cleanup() {
  for p in "${BG_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

CAP="$T/cap"      # captured stdout/stderr of the last run
W="$T/work"       # inputs and outputs
mkdir -p "$CAP" "$W"
cd "$W" || exit 1

passed=0
failed=0
failed_names=()

pass() {
  echo "PASS $1"
  passed=$((passed + 1))
}
fail() {
  local name=$1
  shift
  echo "FAIL $name"
  for line in "$@"; do printf '    %s\n' "$line"; done
  if [[ -s "$CAP/err" ]]; then sed 's/^/    stderr: /' "$CAP/err" | head -n 5; fi
  failed=$((failed + 1))
  failed_names+=("$name")
}

# run ARGS...: runs sluice; stdout in $CAP/out, stderr in $CAP/err, status in $rc.
run() {
  "$SLUICE" "$@" >"$CAP/out" 2>"$CAP/err"
  rc=$?
}
# run_in FILE ARGS...: as run, with FILE on stdin.
run_in() {
  local input=$1
  shift
  "$SLUICE" "$@" <"$input" >"$CAP/out" 2>"$CAP/err"
  rc=$?
}

# check_same NAME FILE EXPECTED_FILE: the last run exited 0 and FILE equals EXPECTED_FILE byte for byte.
check_same() {
  local name=$1 got=$2 want=$3
  if [[ "$rc" != 0 ]]; then
    fail "$name" "exit status $rc, want 0"
  elif [[ ! -f "$got" ]]; then
    fail "$name" "no output file $got"
  elif cmp -s "$got" "$want"; then
    pass "$name"
  else
    fail "$name" "output differs from the expected (diff want got):" "$(diff <(cat -A "$want") <(cat -A "$got") | head -n 10)"
  fi
}
# check_err NAME WANT_RC PATTERN...: status WANT_RC, stderr contains every fixed-string PATTERN.
check_err() {
  local name=$1 want_rc=$2
  shift 2
  local missing=()
  for p in "$@"; do grep -qF -- "$p" "$CAP/err" || missing+=("stderr lacks '$p'"); done
  if [[ "$rc" != "$want_rc" ]]; then
    fail "$name" "exit status $rc, want $want_rc" "${missing[@]}"
  elif ((${#missing[@]})); then
    fail "$name" "${missing[@]}"
  else
    pass "$name"
  fi
}
expect() {  # expect FILE <<EOF ... : writes the expected text
  cat >"$1"
}
# check_stdout NAME EXPECTED_FILE: the last run exited 0 and its stdout equals EXPECTED_FILE.
check_stdout() {
  cp "$CAP/out" "$CAP/stdout.copy"
  check_same "$1" "$CAP/stdout.copy" "$2"
}
# check_stderr_is NAME EXPECTED_TEXT: the last run exited 0 and its stderr is exactly EXPECTED_TEXT (+ newline).
check_stderr_is() {
  printf '%s\n' "$2" >"$CAP/stderr.want"
  cp "$CAP/err" "$CAP/stderr.copy"
  check_same "$1" "$CAP/stderr.copy" "$CAP/stderr.want"
}

# ---- Inputs ------------------------------------------------------------------------------------

printf 'id,name,score,day\n1,alice,1.5,2024-01-02\n2,"bob, jr",,2024-01-03\n3,"say ""hi""",-2,\n4,dave,10,2024-02-29\n' >people.csv

# score is a float64 column: its whole numbers are written as DuckDB writes a DOUBLE ("10.0").
expect people.expected.csv <<'EOF'
id,name,score,day
1,alice,1.5,2024-01-02
2,"bob, jr",,2024-01-03
3,"say ""hi""",-2.0,
4,dave,10.0,2024-02-29
EOF
printf 'id\tname\tscore\tday\n1\talice\t1.5\t2024-01-02\n2\tbob, jr\t\t2024-01-03\n3\t"say ""hi"""\t-2.0\t\n4\tdave\t10.0\t2024-02-29\n' >people.expected.tsv

# ---- Conversions -------------------------------------------------------------------------------

run convert people.csv out.csv
check_same "convert csv to csv" out.csv people.expected.csv

run convert people.csv out.tsv
check_same "convert csv to tsv (format from the extension)" out.tsv people.expected.tsv

cp people.expected.tsv in.tsv
run convert in.tsv back.csv
check_same "convert tsv to csv (format from the extension)" back.csv people.expected.csv

run convert people.csv out.txt --to tsv
check_same "--to tsv overrides the extension" out.txt people.expected.tsv

run convert people.csv UPPER.CSV
check_same "extension is case-insensitive" UPPER.CSV people.expected.csv

run_in people.csv convert - stdin_out.csv
check_same "convert - (stdin) to a file" stdin_out.csv people.expected.csv

run convert people.csv -
cp "$CAP/out" stdout_out.csv
check_same "convert to - (stdout)" stdout_out.csv people.expected.csv

run_in people.csv convert - -
cp "$CAP/out" pipe_out.csv
check_same "convert - - (stdin to stdout)" pipe_out.csv people.expected.csv

run_in people.expected.tsv cat - --from tsv
cp "$CAP/out" from_tsv.csv
check_same "cat - --from tsv" from_tsv.csv people.expected.csv

run convert people.csv - --to tsv
cp "$CAP/out" to_tsv.tsv
check_same "convert to stdout --to tsv" to_tsv.tsv people.expected.tsv

run cat people.csv
cp "$CAP/out" cat.csv
check_same "cat writes CSV to stdout" cat.csv people.expected.csv
if [[ -s "$CAP/err" ]]; then fail "cat writes nothing on stderr" "stderr: $(head -c 200 "$CAP/err")"; else pass "cat writes nothing on stderr"; fi

# Output dialect flags.
expect flags.expected.csv <<'EOF'
"id";"name";"score";"day"
"1";"alice";"1.5";"2024-01-02"
"2";"bob, jr";;"2024-01-03"
"3";"say ""hi""";"-2.0";
"4";"dave";"10.0";"2024-02-29"
EOF
run convert people.csv flags.csv --out-delimiter ';' --quoting all
check_same "--out-delimiter ';' --quoting all" flags.csv flags.expected.csv

printf '1,alice,1.5,2024-01-02\r\n2,"bob, jr",NA,2024-01-03\r\n3,"say ""hi""",-2.0,NA\r\n4,dave,10.0,2024-02-29\r\n' >crlf.expected.csv
run convert people.csv crlf.csv --no-out-header --out-null NA --line-ending crlf
check_same "--no-out-header --out-null NA --line-ending crlf" crlf.csv crlf.expected.csv

# Input dialect flags and sniffing.
printf '1;x;2024-01-01\n2;y;2024-01-02\n' >noheader.csv
printf 'column0,column1,column2\n1,x,2024-01-01\n2,y,2024-01-02\n' >noheader.expected.csv
run convert noheader.csv noheader.out.csv
check_same "sniffs ';' and no header" noheader.out.csv noheader.expected.csv

printf 'a,b\n1,x\n' >hdr_forced.csv
printf 'column0,column1\na,b\n1,x\n' >hdr_forced.expected.csv
run convert hdr_forced.csv hdr_forced.out.csv --no-header
check_same "--no-header keeps the first row as data" hdr_forced.out.csv hdr_forced.expected.csv

printf '\xef\xbb\xbfa,b\n1,2\n' >bom.csv
printf 'a,b\n1,2\n' >bom.expected.csv
run convert bom.csv bom.out.csv
check_same "a UTF-8 byte order mark is dropped" bom.out.csv bom.expected.csv

printf 'junk line\nanother\na|b\n1|2\n' >skip.csv
printf 'a,b\n1,2\n' >skip.expected.csv
run convert skip.csv skip.out.csv --skip-rows 2
check_same "--skip-rows 2" skip.out.csv skip.expected.csv

printf 'a,b\n1,-\n-,y\n' >nulls.csv
printf 'a,b\n1,\n,y\n' >nulls.expected.csv
run convert nulls.csv nulls.out.csv --null - --names a,b
check_same "--null - --names a,b" nulls.out.csv nulls.expected.csv

# Intervals from DuckDB's text: a Parquet INTERVAL, printed back as the same text.
printf 'id,iv\n1,1 year 2 months 3 days 04:05:06.5\n2,\n3,100:00:00.25\n4,1.5 days\n' >iv.csv
printf 'id,iv\n1,1 year 2 months 3 days 04:05:06.5\n2,\n3,100:00:00.25\n4,1 day 12:00:00\n' >iv.expected.csv
run convert iv.csv iv.parquet --types iv=interval
run schema iv.parquet
if [[ $rc == 0 ]] && grep -q "iv: interval" "$CAP/out" && grep -q "INTERVAL" "$CAP/out"; then pass "--types iv=interval: a Parquet INTERVAL";
else fail "--types iv=interval: a Parquet INTERVAL" "rc $rc: $(cat "$CAP/out" "$CAP/err")"; fi
run cat iv.parquet
check_stdout "interval text through Parquet and back" iv.expected.csv
printf 'iv\n-1 day\n' >iv_bad.csv
run cat iv_bad.csv --types iv=interval
check_err "a negative interval: exit 1, naming the value" 1 "-1 day"
check_err "a negative interval: the error says why" 1 "holds no negative part"
printf '{"iv": "3 us"}\n' >iv_bad.ndjson
run cat iv_bad.ndjson --types iv=interval
check_err "an NDJSON interval finer than a millisecond: the error says why" 1 "nothing finer than a millisecond"
printf '{"iv": "-2 d\\u0061ys"}\n' >iv_escaped.ndjson
run cat iv_escaped.ndjson --types iv=interval
check_err "an NDJSON interval written with an escape: the error says why" 1 "holds no negative part"
# CSV: the dialect and the types come from the first MiB whatever --block-size (a 4 KiB block once
# saw only integers here).
{ echo "n,s"; for i in $(seq 2000); do echo "$i,a"; done; for i in $(seq 2000); do echo "$i.5,b"; done; } >sample.csv
run schema sample.csv
cp "$CAP/out" sample.schema
run schema sample.csv --block-size 4KiB
check_stdout "CSV: --block-size does not change the sniffed types" sample.schema
if grep -q "n: float64" sample.schema; then pass "CSV: the sample spans the first MiB"; else fail "CSV: the sample spans the first MiB" "$(cat sample.schema)"; fi
# A string followed by ':' is not a value (On Demand's skip once took it for a key and read on).
printf '{"a":1}\n{"s":{"t":"u":[]}}}\n{"a":2}\n' >colon.ndjson
run cat colon.ndjson --to ndjson
check_err "NDJSON: a string followed by a colon is invalid JSON, on its line" 1 "colon.ndjson:2: invalid JSON"

# One column: a null is an empty line (as DuckDB writes it), read back as a null row, through Parquet too.
printf 'v\n1\n\n3\n\n' >one_col.csv
run convert one_col.csv one_col.parquet
run scan one_col.parquet
if [[ $rc == 0 ]] && grep -q '"rows": 4' "$CAP/out" && grep -q '"nulls": 2' "$CAP/out"; then pass "one-column CSV: blank lines are null rows";
else fail "one-column CSV: blank lines are null rows" "rc $rc: $(cat "$CAP/out" "$CAP/err")"; fi
run cat one_col.parquet
check_stdout "one-column CSV through Parquet and back: the same bytes" one_col.csv

# ---- head, schema, scan ------------------------------------------------------------------------

expect head3.expected <<'EOF'
id    | name     | score   | day
int64 | string   | float64 | date32
------+----------+---------+-----------
    1 | alice    |     1.5 | 2024-01-02
    2 | bob, jr  |    NULL | 2024-01-03
    3 | say "hi" |    -2.0 | NULL
EOF
run head people.csv -n 3
cp "$CAP/out" head3.out
check_same "head -n 3 prints an aligned table" head3.out head3.expected

run head -n 3 people.csv
cp "$CAP/out" head3b.out
check_same "head -n 3 before the input" head3b.out head3.expected

awk 'BEGIN { print "k,v"; for (i = 1; i <= 25; i++) print i ",v" i }' >many.csv
run head many.csv
if [[ "$rc" == 0 && "$(wc -l <"$CAP/out")" == 13 ]]; then
  pass "head prints 10 rows by default"
else
  fail "head prints 10 rows by default" "exit $rc, $(wc -l <"$CAP/out") lines, want 3 + 10"
fi

printf 'name,n\ncafé,1\nß,22\n' >utf8.csv
expect head_utf8.expected <<'EOF'
name   | n
string | int64
-------+------
café   |     1
ß      |    22
EOF
run head utf8.csv
cp "$CAP/out" head_utf8.out
check_same "head aligns UTF-8 text by characters" head_utf8.out head_utf8.expected

expect schema.expected <<'EOF'
id: int64
name: string
score: float64
day: date32
EOF
run schema people.csv
cp "$CAP/out" schema.out
check_same "schema prints names and types" schema.out schema.expected

run schema people.csv --types id=int32,day=string
printf 'id: int32\nname: string\nscore: float64\nday: string\n' >schema_types.expected
cp "$CAP/out" schema_types.out
check_same "schema shows declared --types" schema_types.out schema_types.expected

printf '{"rows": 4, "columns": [{"name": "id", "type": "int64", "nulls": 0}, {"name": "name", "type": "string", "nulls": 0}, {"name": "score", "type": "float64", "nulls": 1}, {"name": "day", "type": "date32", "nulls": 1}]}\n' >scan.expected
run scan people.csv
cp "$CAP/out" scan.out
check_same "scan prints one JSON object" scan.out scan.expected

printf 'a,"we""ird"\n,x\n' >scan2.csv
printf '{"rows": 1, "columns": [{"name": "a", "type": "null", "nulls": 1}, {"name": "we\\"ird", "type": "string", "nulls": 0}]}\n' >scan2.expected
run scan scan2.csv
cp "$CAP/out" scan2.out
check_same "scan escapes names and counts an all-null column" scan2.out scan2.expected

if command -v python3 >/dev/null; then
  run scan people.csv
  if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["rows"]==4 and len(d["columns"])==4' "$CAP/out" 2>/dev/null; then
    pass "scan output is valid JSON"
  else
    fail "scan output is valid JSON" "$(head -c 300 "$CAP/out")"
  fi
fi

# ---- Threads -----------------------------------------------------------------------------------

# Enough rows for many blocks, quoted line ends and quotes that straddle block boundaries.
awk 'BEGIN {
  print "id,text,value,day"
  for (i = 0; i < 120000; i++) {
    t = (i % 5 == 0) ? "\"multi\nline \"\"" i "\"\"\"" : (i % 7 == 0 ? "" : "t" i)
    v = (i % 11 == 0) ? "" : (i % 4 == 0 ? i / 4 ".0" : i / 4)  # doubles as "3.0"
    printf "%d,%s,%s,2024-01-%02d\n", i, t, v, (i % 28) + 1
  }
}' >threads.csv
run convert threads.csv t1.csv --threads 1 --block-size 16KiB
rc1=$rc
run convert threads.csv t2.csv --threads 2 --block-size 16KiB
rc2=$rc
run convert threads.csv t4.csv --threads 4 --block-size 16KiB
rc4=$rc
if [[ "$rc1$rc2$rc4" == 000 ]] && cmp -s t1.csv t2.csv && cmp -s t1.csv t4.csv; then
  pass "convert --threads 2 and 4 give the same bytes as --threads 1"
else
  fail "convert --threads 2 and 4 give the same bytes as --threads 1" "exit statuses $rc1 $rc2 $rc4"
fi
run convert threads.csv t_default.csv
if [[ "$rc" == 0 ]] && cmp -s t1.csv t_default.csv; then
  pass "default threads and block size give the same bytes"
else
  fail "default threads and block size give the same bytes" "exit $rc"
fi
if cmp -s threads.csv t1.csv; then
  pass "a canonical file round-trips byte for byte"
else
  fail "a canonical file round-trips byte for byte" "$(diff threads.csv t1.csv | head -n 6)"
fi
run scan threads.csv --threads 1 --block-size 16KiB
cp "$CAP/out" s1.json
run scan threads.csv --threads 2 --block-size 16KiB
cp "$CAP/out" s2.json
check_same "scan --threads 2 equals --threads 1" s2.json s1.json

# ---- Exit statuses and error messages ----------------------------------------------------------

run --help
if [[ "$rc" == 0 ]] && grep -q "usage" "$CAP/out"; then pass "--help exits 0 with usage on stdout"; else fail "--help exits 0 with usage on stdout" "exit $rc"; fi
run --version
if [[ "$rc" == 0 ]] && grep -q "^sluice " "$CAP/out"; then pass "--version"; else fail "--version" "exit $rc: $(cat "$CAP/out")"; fi

run
check_err "no arguments: exit 2" 2 "usage"
run frobnicate people.csv
check_err "unknown command: exit 2" 2 "frobnicate"
run cat people.csv --bogus 1
check_err "unknown flag: exit 2, named" 2 "--bogus"
run cat people.csv --bogus=1
check_err "unknown flag with =: exit 2" 2 "--bogus"
run convert people.csv
check_err "convert without output: exit 2" 2 "convert"
run cat
check_err "cat without input: exit 2" 2 "cat"
run head
check_err "head without input: exit 2" 2 "head"
run cat people.csv --delimiter
check_err "flag without its value: exit 2" 2 "--delimiter"
run cat people.csv --threads 0
check_err "--threads 0: exit 2" 2 "--threads"
run cat people.csv --threads x
check_err "--threads x: exit 2" 2 "--threads"
run convert people.csv out.csv --quoting sometimes
check_err "bad --quoting: exit 2" 2 "--quoting"
run head people.csv -n -1
check_err "head -n -1: exit 2" 2 "-n"
run cat people.csv --types id=integer128
check_err "unknown type in --types: exit 2" 2 "integer128"
run convert people.csv one.parquet --max-memory 64MiB
check_err "--max-memory with one output file: exit 2, says it is for many files" 2 "--max-memory is for writing many files"
run scan people.csv --max-rows-per-file 10
check_err "--max-rows-per-file on scan: exit 2, says it is for many files" 2 "--max-rows-per-file is for writing many files"
run convert people.csv out.parquet --compression zstd:99
check_err "parquet: no such zstd level: exit 2" 2 "--compression"
if [[ -e out.parquet ]]; then fail "bad parquet option: no file" "out.parquet exists"; else pass "bad parquet option: no file"; fi

printf 'a,b\n1,2\n3\n4,5\n' >ragged.csv
run cat ragged.csv
check_err "ragged row (too few fields): exit 1, file:line" 1 "ragged.csv:3:"
printf 'a,b\n1,2\n3,4\n5,6,7\n' >ragged2.csv
run convert ragged2.csv ragged2.out.csv
check_err "ragged row (too many fields): exit 1, file:line:column" 1 "ragged2.csv:4:3:"

printf 'a,b\n1,"open\n2,3\n' >unterminated.csv
run cat unterminated.csv
check_err "unterminated quote: exit 1, file:line" 1 "unterminated.csv:2" "unterminated"

printf 'a,b\n1,2\n3,x\n' >badtype.csv
run cat badtype.csv --types b=int64
check_err "value not fitting --types: exit 1, file:line:column and column name" 1 "badtype.csv:3:2:" "column 'b'" "'x'"
printf 'a,b\n1,200\n' >overflow.csv
run cat overflow.csv --types b=int8
check_err "value overflowing a declared int8: exit 1" 1 "overflow.csv:2:2:"
printf 'a,b\n1,2024-02-30\n' >baddate.csv
run cat baddate.csv --types b=date
check_err "impossible date for a declared date: exit 1" 1 "baddate.csv:2:2:"

run cat does-not-exist.csv
check_err "missing input file: exit 1, named" 1 "does-not-exist.csv"
run convert people.csv no/such/dir/out.csv
check_err "output folder missing: exit 1, named" 1 "no/such/dir/out.csv"

if [[ -s "$CAP/out" ]]; then fail "errors are not written to stdout" "stdout: $(head -c 200 "$CAP/out")"; else pass "errors are not written to stdout"; fi

# --skip-bad-rows: dropped rows are counted and their lines reported.
printf 'a,b\n1,2\n3\n4,5\n6,7,8\n9,x\n10,11\n' >skipbad.csv
printf 'a,b\n1,2\n4,5\n10,11\n' >skipbad.expected.csv
run convert skipbad.csv skipbad.out.csv --skip-bad-rows --types b=int64
check_same "--skip-bad-rows drops ragged and unconvertible rows" skipbad.out.csv skipbad.expected.csv
check_err "--skip-bad-rows reports the count and lines" 0 "skipped 3 bad rows" "line 3" "line 5" "line 6"
run scan skipbad.csv --skip-bad-rows --types b=int64
if [[ "$rc" == 0 ]] && grep -qF '"rows": 3,' "$CAP/out" && grep -qF '"bad_rows": 3' "$CAP/out"; then
  pass "scan --skip-bad-rows counts rows and bad rows"
else
  fail "scan --skip-bad-rows counts rows and bad rows" "exit $rc: $(cat "$CAP/out")"
fi

# Many bad rows over many blocks: every one counted, the first ten lines named (in file order,
# ragged rows and values that do not fit alike), on one thread and three.
awk 'BEGIN { print "a,b"; for (i = 2; i <= 30001; i++) { if (i % 1000 == 7) print i; else if (i % 1000 == 500) print i ",x"; else print i "," i } }' >manybad.csv
manybad_err="skipped 60 bad rows: line 7 (expected 2 fields but the row has 1), line 500 (a value does not fit its declared type), line 1007 (expected"
for t in 1 3; do
  run scan manybad.csv --skip-bad-rows --types b=int64 --block-size 4KiB --threads "$t"
  if [[ $rc == 0 ]] && grep -qF '"rows": 29940,' "$CAP/out" && grep -qF "$manybad_err" "$CAP/err" &&
    grep -qF "line 4500 (a value does not fit its declared type), ..." "$CAP/err" && ! grep -qF "line 5007" "$CAP/err"; then
    pass "--skip-bad-rows over many blocks (--threads $t): 60 counted, the first ten lines named"
  else fail "--skip-bad-rows over many blocks (--threads $t): 60 counted, the first ten lines named" "$(cat "$CAP/out")"; fi
done

# ---- A failed convert leaves nothing behind ----------------------------------------------------

mkdir -p "$W/commit" && cd "$W/commit" || exit 1
awk 'BEGIN { print "a,b"; for (i = 0; i < 200000; i++) print i ",x" i; print "1,2,3" }' >badend.csv
listing() { find . -mindepth 1 | LC_ALL=C sort; }
before=$(listing)
run convert badend.csv out.csv --block-size 16KiB
after=$(listing)
if [[ "$rc" == 1 && ! -e out.csv && "$before" == "$after" ]]; then
  pass "failed convert leaves no output and no temp file"
else
  fail "failed convert leaves no output and no temp file" "exit $rc (want 1); new entries: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"
fi

printf 'precious\n' >out.csv
cp out.csv out.orig
before=$(listing)
run convert badend.csv out.csv --block-size 16KiB
after=$(listing)
if [[ "$rc" == 1 ]] && cmp -s out.csv out.orig && [[ "$before" == "$after" ]]; then
  pass "failed convert leaves an existing output untouched"
else
  fail "failed convert leaves an existing output untouched" "exit $rc; out.csv now: $(head -c 60 out.csv)"
fi

run convert badend.csv out.csv --skip-bad-rows
if [[ "$rc" == 0 ]] && [[ "$(wc -l <out.csv)" == 200001 ]]; then
  pass "a successful convert replaces the existing output"
else
  fail "a successful convert replaces the existing output" "exit $rc, $(wc -l <out.csv) lines"
fi

# Killed while writing (SIGTERM, SIGINT): the hidden temp file must not stay behind.
for sig in TERM INT; do
  rm -f killed.csv
  before=$(listing)
  # Job control on: a script's background job otherwise starts with SIGINT ignored.
  set -m
  ( head -n 100000 badend.csv; sleep 3 ) | "$SLUICE" convert - killed.csv --block-size 16KiB >"$CAP/out" 2>"$CAP/err" &
  pid=$!
  set +m
  BG_PIDS+=("$pid")
  sleep 1
  kill -"$sig" "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  sleep 0.2
  after=$(listing)
  left=$(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')
  if [[ -z "$left" ]]; then
    pass "convert killed by SIG$sig leaves no temp file"
  else
    fail "convert killed by SIG$sig leaves no temp file" "left behind: $left"
  fi
  find . -name '.killed.csv*' -delete
done
cd "$W" || exit 1

# ---- Edge cases found while writing these tests ------------------------------------------------

: >empty.csv
run convert empty.csv empty.out.csv
if [[ "$rc" == 0 && -f empty.out.csv && ! -s empty.out.csv ]]; then
  pass "an empty input converts to an empty output"
else
  fail "an empty input converts to an empty output" "exit $rc, output bytes: $(od -c empty.out.csv 2>/dev/null | head -n 2 | tr '\n' ' ')"
fi

printf 'a,b\n' >header_only.csv
run convert header_only.csv header_only.out.csv
check_same "a header-only input keeps its header" header_only.out.csv header_only.csv

# decimal(p,s) has a comma, which --types also uses between columns.
printf 'k,d\n1,123.456\n2,999999999999999.999\n' >dec.csv
printf 'k: int64\nd: decimal128(18, 3)\n' >dec.expected
run schema dec.csv --types 'd=decimal(18,3)'
cp "$CAP/out" dec.out
check_same "--types d=decimal(18,3) is accepted" dec.out dec.expected

# A repeated --types must not be silently dropped: use both, or refuse.
printf 'a,b\n1.5,2\n' >twice.csv
run cat twice.csv --types a=int64 --types b=string
if [[ "$rc" == 1 ]] && grep -qF "column 'a'" "$CAP/err"; then
  pass "repeated --types are all applied (or refused)"
elif [[ "$rc" == 2 ]]; then
  pass "repeated --types are all applied (or refused)"
else
  fail "repeated --types are all applied (or refused)" "exit $rc: the first --types a=int64 was ignored (1.5 is not an int64)"
fi

# --escape is documented as the escape character inside quotes; outside them it is plain text.
printf 'id,path\n1,"say \\"hi\\""\n2,C:\\dir\\\n3,"a\\,b"\n' >escape.csv
printf 'id,path\n1,"say ""hi"""\n2,C:\\dir\\\n3,"a,b"\n' >escape.expected.csv
run convert escape.csv escape.out.csv --escape "\\"
check_same "--escape applies only inside quotes" escape.out.csv escape.expected.csv

# Sniffed quote with a given escape: quote ' escaped by ", as DuckDB writes QUOTE '''' by default.
printf "id,name,k\n1,'x\"'y,z',1\n2,'a,b',2\n" >sq.csv
printf 'id,name,k\n1,"x'"'"'y,z",1\n2,"a,b",2\n' >sq.expected.csv
run convert sq.csv sq.out.csv --escape '"'
check_same "quote sniffed when only --escape is given" sq.out.csv sq.expected.csv

# Line numbers in errors must not drift in CRLF files read in many blocks (CR and LF of one line
# end falling into different blocks).
awk 'BEGIN { printf "a,b\r\n"; for (i = 1; i <= 60000; i++) printf (i == 50000 ? "oops,x\r\n" : i ",x\r\n") }' >crlf_bad.csv
for bs in 4KiB 16KiB; do
  run scan crlf_bad.csv --types a=int64 --block-size "$bs" --threads 1
  check_err "CRLF file, --block-size $bs: error names the right line" 1 "crlf_bad.csv:50001:1:"
done
awk 'BEGIN { printf "a,b\r\n"; for (i = 1; i <= 60000; i++) printf (i % 20000 == 0 ? "1,2,3\r\n" : i ",x\r\n") }' >crlf_skip.csv
run scan crlf_skip.csv --skip-bad-rows --block-size 4KiB --threads 2
check_err "CRLF file, --skip-bad-rows reports the right lines" 0 "skipped 3 bad rows" "line 20001 " "line 40001 " "line 60001 "

# ---- NDJSON / JSON -----------------------------------------------------------------------------

mkdir -p "$W/nd" && cd "$W/nd" || exit 1
cp "$W/people.csv" people.csv
cp "$W/people.expected.csv" people.expected.csv

expect people.expected.ndjson <<'EOF'
{"id":1,"name":"alice","score":1.5,"day":"2024-01-02"}
{"id":2,"name":"bob, jr","score":null,"day":"2024-01-03"}
{"id":3,"name":"say \"hi\"","score":-2.0,"day":null}
{"id":4,"name":"dave","score":10.0,"day":"2024-02-29"}
EOF
expect people.expected.json <<'EOF'
[{"id":1,"name":"alice","score":1.5,"day":"2024-01-02"},
{"id":2,"name":"bob, jr","score":null,"day":"2024-01-03"},
{"id":3,"name":"say \"hi\"","score":-2.0,"day":null},
{"id":4,"name":"dave","score":10.0,"day":"2024-02-29"}]
EOF

# Conversions between CSV, NDJSON and JSON arrays.
run convert people.csv p.ndjson
check_same "convert csv to .ndjson" p.ndjson people.expected.ndjson
run convert people.csv p.jsonl
check_same "convert csv to .jsonl (NDJSON)" p.jsonl people.expected.ndjson
run convert people.csv p.json
check_same "convert csv to .json (an array of objects)" p.json people.expected.json
cp people.expected.ndjson in.ndjson
run convert in.ndjson back.csv
check_same "convert ndjson to csv" back.csv people.expected.csv
run convert in.ndjson again.ndjson
check_same "convert ndjson to ndjson keeps the bytes" again.ndjson people.expected.ndjson
cp people.expected.json in.json
run convert in.json from_array.csv
check_same "convert .json array to csv" from_array.csv people.expected.csv
run convert in.json from_array.ndjson
check_same "convert .json array to ndjson" from_array.ndjson people.expected.ndjson
run cat in.ndjson --to ndjson
check_stdout "cat x.ndjson --to ndjson" people.expected.ndjson
run cat people.csv --to ndjson
check_stdout "cat x.csv --to ndjson" people.expected.ndjson
run cat in.ndjson
check_stdout "cat x.ndjson writes CSV by default" people.expected.csv
run_in in.ndjson convert - stdin_nd.csv --from ndjson
check_same "convert - --from ndjson (stdin) to csv" stdin_nd.csv people.expected.csv
run_in in.ndjson cat - --from jsonl --to ndjson
check_stdout "cat - --from jsonl --to ndjson" people.expected.ndjson
run convert people.csv - --to json
check_stdout "convert to - --to json (stdout)" people.expected.json
run_in in.json convert - - --from json --to jsonl
check_stdout "convert - - --from json --to jsonl" people.expected.ndjson

: >empty.ndjson
printf '[]\n' >empty_array.expected
run convert empty.ndjson empty.json
check_same "an empty NDJSON input converts to [] in .json" empty.json empty_array.expected
cp empty_array.expected empty_in.json
run convert empty_in.json empty_arr.ndjson
if [[ "$rc" == 0 && -f empty_arr.ndjson && ! -s empty_arr.ndjson ]]; then
  pass "an empty JSON array converts to an empty NDJSON file"
else
  fail "an empty JSON array converts to an empty NDJSON file" "exit $rc, bytes: $(od -c empty_arr.ndjson 2>/dev/null | head -n 1)"
fi

# Nested values, dates and timestamps (with and without an offset).
expect nested.ndjson <<'EOF'
{"id":1,"user":{"name":"ann","age":31},"tags":["a","b"],"day":"2024-01-02","at":"2024-01-02T03:04:05","atz":"2024-01-02T03:04:05Z","ok":true}
{"id":2,"user":{"name":"bo","age":null},"tags":[],"day":"2024-03-04","at":"2024-03-04T10:00:00.5","atz":"2024-03-04T12:00:00+02:00","ok":false}
{"id":3,"user":null,"tags":null,"day":null,"at":null,"atz":null,"ok":null}
EOF
expect nested_schema.expected <<'EOF'
id: int64
user: struct<name: string, age: int64>
tags: list<string>
day: date32
at: timestamp[us]
atz: timestamp[us, tz=UTC]
ok: bool
EOF
run schema nested.ndjson
check_stdout "schema on NDJSON: struct, list, date, timestamp, timestamp with offset" nested_schema.expected
check_stderr_is "schema on NDJSON prints the format on stderr" "format: ndjson"
run_in nested.ndjson schema - --from ndjson
check_stdout "schema - --from ndjson (stdin)" nested_schema.expected

# Nested columns in CSV are JSON text, quoted; an offset is converted to UTC.
expect nested.expected.csv <<'EOF'
id,user,tags,day,at,atz,ok
1,"{""name"":""ann"",""age"":31}","[""a"",""b""]",2024-01-02,2024-01-02 03:04:05,2024-01-02 03:04:05+00,true
2,"{""name"":""bo"",""age"":null}",[],2024-03-04,2024-03-04 10:00:00.5,2024-03-04 10:00:00+00,false
3,,,,,,
EOF
run convert nested.ndjson nested.csv
check_same "nested columns written to CSV as quoted JSON text" nested.csv nested.expected.csv

expect nested.expected.ndjson <<'EOF'
{"id":1,"user":{"name":"ann","age":31},"tags":["a","b"],"day":"2024-01-02","at":"2024-01-02 03:04:05.000000","atz":"2024-01-02T03:04:05.000000Z","ok":true}
{"id":2,"user":{"name":"bo","age":null},"tags":[],"day":"2024-03-04","at":"2024-03-04 10:00:00.500000","atz":"2024-03-04T10:00:00.000000Z","ok":false}
{"id":3,"user":null,"tags":null,"day":null,"at":null,"atz":null,"ok":null}
EOF
run cat nested.ndjson --to ndjson
check_stdout "nested NDJSON to NDJSON" nested.expected.ndjson
cp nested.expected.ndjson nested2.ndjson
run cat nested2.ndjson --to ndjson
check_stdout "NDJSON written by sluice reads back to the same bytes" nested.expected.ndjson

expect deep.ndjson <<'EOF'
{"e":[{"t":"2024-01-02T03:04:05Z","d":"2024-01-02","f":1.5,"s":"a\"b\nc"}],"m":{"x":[1,2.5],"y":{"z":"café"}}}
{"e":[],"m":{"x":null,"y":null}}
EOF
expect deep.expected.csv <<'EOF'
e,m
"[{""t"":""2024-01-02T03:04:05.000000Z"",""d"":""2024-01-02"",""f"":1.5,""s"":""a\""b\nc""}]","{""x"":[1.0,2.5],""y"":{""z"":""café""}}"
[],"{""x"":null,""y"":null}"
EOF
run convert deep.ndjson deep.csv
check_same "list of structs and struct of lists to CSV as JSON text" deep.csv deep.expected.csv
run schema deep.ndjson
printf 'e: list<struct<t: timestamp[us, tz=UTC], d: date32, f: float64, s: string>>\nm: struct<x: list<float64>, y: struct<z: string>>\n' >deep_schema.expected
check_stdout "schema of deeper nesting (int and float in one list: float64)" deep_schema.expected

# The detected format, on stderr.
printf '[{"a":1,"b":"x"},\n {"a":2,"b":"y"}]\n' >arr.json
printf '{\n  "a": 1,\n  "b": "x"\n}\n{\n  "a": 2,\n  "b": "y"\n}\n' >pretty.json
printf '{"a":1,"b":"x"}\n{"a":2,"b":"y"}\n' >lines.ndjson
printf 'a: int64\nb: string\n' >ab_schema.expected
printf 'a,b\n1,x\n2,y\n' >ab.expected.csv
run schema arr.json
check_stdout "schema on a JSON array" ab_schema.expected
check_stderr_is "schema on a JSON array prints 'format: json array'" "format: json array"
run schema pretty.json
check_stdout "schema on pretty-printed objects" ab_schema.expected
check_stderr_is "schema on pretty-printed objects prints 'format: concatenated json objects'" "format: concatenated json objects"
run cat pretty.json
check_stdout "pretty-printed objects to CSV" ab.expected.csv

# --json-format forces the layout.
run cat arr.json --json-format array
check_stdout "--json-format array on an array" ab.expected.csv
run cat lines.ndjson --json-format concatenated
check_stdout "--json-format concatenated on one object per line" ab.expected.csv
run schema lines.ndjson --json-format concatenated
check_stderr_is "--json-format concatenated is what schema reports" "format: concatenated json objects"
run cat pretty.json --json-format concatenated
check_stdout "--json-format concatenated on pretty-printed objects" ab.expected.csv
run cat lines.ndjson --json-format array
check_err "--json-format array on NDJSON: exit 1, file:line" 1 "lines.ndjson:1:" "a JSON array must start with '['" "byte offset 0"
run cat arr.json --json-format lines
check_err "--json-format lines on an array: exit 1" 1 "arr.json:1:"
run cat arr.json --json-format concatenated
check_err "--json-format concatenated on an array: exit 1" 1 "arr.json:1:" "not a JSON object"

# head on NDJSON.
expect flat.ndjson <<'EOF'
{"id":1,"name":"ann","day":"2024-01-02","at":"2024-01-02T03:04:05","atz":"2024-01-02T03:04:05+02:00","ok":true}
{"id":22,"name":null,"day":"2024-12-31","at":"2024-03-04T10:00:00.25","atz":"2024-03-04T10:00:00Z","ok":false}
{"id":3,"name":"c","day":null,"at":null,"atz":null,"ok":null}
EOF
expect head_flat.expected <<'EOF'
id    | name   | day        | at                     | atz                    | ok
int64 | string | date32     | timestamp[us]          | timestamp[us, tz=UTC]  | bool
------+--------+------------+------------------------+------------------------+------
    1 | ann    | 2024-01-02 | 2024-01-02 03:04:05    | 2024-01-02 01:04:05+00 | true
   22 | NULL   | 2024-12-31 | 2024-03-04 10:00:00.25 | 2024-03-04 10:00:00+00 | false
EOF
run head -n 2 flat.ndjson
check_stdout "head -n 2 on NDJSON (dates, timestamps, bools, nulls)" head_flat.expected

expect head_nested.expected <<'EOF'
id    | user                             | tags         | day        | at                    | atz                    | ok
int64 | struct<name: string, age: int64> | list<string> | date32     | timestamp[us]         | timestamp[us, tz=UTC]  | bool
------+----------------------------------+--------------+------------+-----------------------+------------------------+------
    1 | {"name":"ann","age":31}          | ["a","b"]    | 2024-01-02 | 2024-01-02 03:04:05   | 2024-01-02 03:04:05+00 | true
    2 | {"name":"bo","age":null}         | []           | 2024-03-04 | 2024-03-04 10:00:00.5 | 2024-03-04 10:00:00+00 | false
EOF
run head -n 2 nested.ndjson
# The scalar columns (the nested ones are checked below).
scalar_cells() { awk -F ' [|] ' 'NR != 3 { o = ""; for (i = 1; i <= NF; i++) if (i < 2 || i > 3) { gsub(/^ +| +$/, "", $i); o = o $i "|" } print o }' "$1"; }
if [[ "$rc" == 0 && "$(wc -l <"$CAP/out")" == 5 ]] && [[ "$(scalar_cells "$CAP/out")" == "$(scalar_cells head_nested.expected)" ]]; then
  pass "head -n 2 on nested NDJSON: header, types and 2 rows"
else
  fail "head -n 2 on nested NDJSON: header, types and 2 rows" "exit $rc" "$(head -n 5 "$CAP/out")"
fi
# head shows nested values as their JSON text, as convert to CSV does.
check_stdout "head -n 2 shows nested values as JSON text" head_nested.expected

# scan on NDJSON.
printf '{"rows": 3, "columns": [{"name": "id", "type": "int64", "nulls": 0}, {"name": "user", "type": "struct<name: string, age: int64>", "nulls": 1}, {"name": "tags", "type": "list<string>", "nulls": 1}, {"name": "day", "type": "date32", "nulls": 1}, {"name": "at", "type": "timestamp[us]", "nulls": 1}, {"name": "atz", "type": "timestamp[us, tz=UTC]", "nulls": 1}, {"name": "ok", "type": "bool", "nulls": 1}]}\n' >scan_nested.expected
run scan nested.ndjson
check_stdout "scan on nested NDJSON: rows, types, nulls" scan_nested.expected

# Generated: a column widening late (int → float), a column appearing at line 2501, one at line 3900.
awk 'BEGIN {
  for (i = 1; i <= 4000; i++) {
    printf "{\"id\":%d", i
    if (i % 7) printf ",\"v\":%s", (i > 3000 && i % 5 == 0 ? i / 4 : i); else printf ",\"v\":null"
    printf ",\"s\":\"t%d\",\"day\":\"2024-01-%02d\",\"u\":{\"n\":%d,\"w\":[%d,%d]}", i, i % 28 + 1, i % 3, i, i + 1
    if (i > 2500) printf ",\"late\":%s", (i % 2 ? "true" : "null")
    if (i == 3900) printf ",\"s2\":\"x\""
    printf "}\n"
  }
}' >gen.ndjson
printf '{"rows": 4000, "columns": [{"name": "id", "type": "int64", "nulls": 0}, {"name": "v", "type": "float64", "nulls": 571}, {"name": "s", "type": "string", "nulls": 0}, {"name": "day", "type": "date32", "nulls": 0}, {"name": "u", "type": "struct<n: int64, w: list<int64>>", "nulls": 0}, {"name": "late", "type": "bool", "nulls": 3250}, {"name": "s2", "type": "string", "nulls": 3999}]}\n' >scan_gen.expected
run scan gen.ndjson --threads 1 --block-size 4KiB
check_stdout "scan NDJSON --threads 1 (many blocks): rows, types, nulls" scan_gen.expected
run scan gen.ndjson --threads 3 --block-size 4KiB
check_stdout "scan NDJSON --threads 3 gives the same output" scan_gen.expected
run convert gen.ndjson gen1.ndjson --threads 1 --block-size 4KiB
rc1=$rc
run convert gen.ndjson gen3.ndjson --threads 3 --block-size 4KiB
rc3=$rc
if [[ "$rc1$rc3" == 00 ]] && cmp -s gen1.ndjson gen3.ndjson && [[ "$(wc -l <gen1.ndjson)" == 4000 ]]; then
  pass "convert NDJSON --threads 3 gives the same bytes as --threads 1"
else
  fail "convert NDJSON --threads 3 gives the same bytes as --threads 1" "exit statuses $rc1 $rc3"
fi

# --types
printf 'a: int32\nb: string\n' >types_int32.expected
run schema lines.ndjson --types a=int32
check_stdout "--types a=int32 on NDJSON" types_int32.expected
printf '{"a":"1","b":"x"}\n{"a":"2","b":"y"}\n' >types_string.expected
run cat lines.ndjson --types a=string --to ndjson
check_stdout "--types a=string turns numbers into strings" types_string.expected
printf '{"a":1,"b":"x"}\n{"a":3000000000,"b":"y"}\n' >big32.ndjson
run cat big32.ndjson --types a=int32
check_err "value beyond a declared int32: exit 1, file:line, column" 1 "big32.ndjson:2:" "3000000000" "int32" "column 'a'" "byte offset 16"
run cat nested.ndjson --types id=integer128
check_err "unknown type in --types on NDJSON: exit 2" 2 "integer128"

# --infer-rows: the type changes at line 20000, after the default sample (16384 records).
awk 'BEGIN { for (i = 1; i <= 20000; i++) printf "{\"v\":%s}\n", (i == 20000 ? "2.5" : i) }' >latefloat.ndjson
run schema latefloat.ndjson
printf 'v: int64\n' >v_int64.expected
check_stdout "schema with the default sample: int64" v_int64.expected
run schema latefloat.ndjson --infer-rows all
printf 'v: float64\n' >v_float64.expected
check_stdout "schema --infer-rows all: float64" v_float64.expected
printf '{"v":1}\n{"v":2.5}\n' >latefloat_default.expected
run convert latefloat.ndjson lf_default.ndjson --block-size 4KiB
sed -n '1p;$p' lf_default.ndjson >lf_default.got
check_same "late widening: early batches keep int64" lf_default.got latefloat_default.expected
printf '{"v":1.0}\n{"v":2.5}\n' >latefloat_all.expected
run convert latefloat.ndjson lf_all.ndjson --block-size 4KiB --infer-rows all
sed -n '1p;$p' lf_all.ndjson >lf_all.got
check_same "--infer-rows all: every batch float64" lf_all.got latefloat_all.expected
run_in latefloat.ndjson cat - --from ndjson --infer-rows all
check_err "--infer-rows all on stdin: exit 1, needs a file" 1 "needs a file"

# --unknown-fields: "z" first appears on line 2, after a one-record sample.
printf '{"a":1}\n{"a":2,"z":true}\n' >unk.ndjson
printf 'a,z\n1,\n2,true\n' >unk_infer.expected
printf 'a\n1\n2\n' >unk_ignore.expected
run cat unk.ndjson --infer-rows 1
check_stdout "--unknown-fields infer (default) adds the column" unk_infer.expected
run cat unk.ndjson --infer-rows 1 --unknown-fields ignore
check_stdout "--unknown-fields ignore drops a key outside the sample" unk_ignore.expected
run cat unk.ndjson --infer-rows 1 --unknown-fields error
check_err "--unknown-fields error: exit 1, file:line, key" 1 "unk.ndjson:2:" 'unknown field "z"' "byte offset 8"
run cat unk.ndjson --unknown-fields error
check_stdout "--unknown-fields error: a key inside the sample is known" unk_infer.expected

# --big-integers
printf '{"n":1}\n{"n":18446744073709551615}\n{"n":3}\n' >big.ndjson
printf '{"n":1.0}\n{"n":18446744073709551616.0}\n{"n":3.0}\n' >big_double.expected
run cat big.ndjson --to ndjson
check_stdout "an integer beyond int64 makes the column float64 (default)" big_double.expected
run cat big.ndjson --big-integers error
check_err "--big-integers error: exit 1, file:line, value" 1 "big.ndjson:2:" "18446744073709551615" "column 'n'"
printf '{"n":9223372036854775807}\n{"n":-9223372036854775808}\n' >int64_edges.ndjson
run cat int64_edges.ndjson --to ndjson --big-integers error
check_stdout "--big-integers error accepts the int64 extremes" int64_edges.ndjson

# --no-detect-dates
printf '{"d":"2024-01-02","t":"2024-01-02T03:04:05","z":"2024-01-02T03:04:05+01:00"}\n' >dates.ndjson
printf 'd: string\nt: string\nz: string\n' >dates_nodetect_schema.expected
printf 'd,t,z\n2024-01-02,2024-01-02T03:04:05,2024-01-02T03:04:05+01:00\n' >dates_nodetect.expected.csv
printf 'd,t,z\n2024-01-02,2024-01-02 03:04:05,2024-01-02 02:04:05+00\n' >dates_detect.expected.csv
run schema dates.ndjson --no-detect-dates
check_stdout "--no-detect-dates: ISO strings stay strings" dates_nodetect_schema.expected
run cat dates.ndjson --no-detect-dates
check_stdout "--no-detect-dates: the text is kept as is" dates_nodetect.expected.csv
run cat dates.ndjson
check_stdout "dates detected by default (offset converted to UTC)" dates_detect.expected.csv
printf '{"d":"2024-01-02"}\n{"d":"2024-02-30"}\n' >baddate.ndjson
printf 'd: string\n' >baddate_schema.expected
run schema baddate.ndjson
check_stdout "an impossible date makes the column a string" baddate_schema.expected

# --max-record-size
{
  printf '{"a":1,"s":"x"}\n{"a":2,"s":"'
  head -c 20000 /dev/zero | tr '\0' y
  printf '"}\n{"a":3,"s":"x"}\n'
} >long.ndjson
run cat long.ndjson --max-record-size 100 --block-size 4KiB
check_err "--max-record-size 100: exit 1 naming the line" 1 "long.ndjson:2:" "limit of 100 bytes" "byte offset 16"
printf '{"a":1,"s":"x"}\n{"a":2,"s":"%s"}\n{"a":3,"s":"x"}\n' "$(head -c 150 /dev/zero | tr '\0' y)" >long_short.ndjson
# A record longer than --max-record-size but shorter than the read block is an error too.
run cat long_short.ndjson --max-record-size 100
check_err "--max-record-size 100: a 170-byte record is an error" 1 "long_short.ndjson:2:" "limit of 100 bytes"
run convert long.ndjson long.json
# In a JSON array (and concatenated objects) the error names the record's line too.
run cat long.json --max-record-size 100 --block-size 4KiB
check_err "--max-record-size in a JSON array: exit 1 naming the line" 1 "long.json:2:"
run cat long.json --max-record-size 100 --block-size 4KiB
check_err "--max-record-size in a JSON array: exit 1" 1 "long.json" "limit of 100 bytes"
run cat long.ndjson --max-record-size abc
check_err "--max-record-size abc: exit 2" 2 "abc"
# On CSV it bounds a row (quoted line ends included), wherever the blocks are cut, --skip-bad-rows too.
printf 'a,b\n1,x\n2,"%s\n%s"\n3,y\n' "$(head -c 50 /dev/zero | tr '\0' y)" "$(head -c 50 /dev/zero | tr '\0' z)" >long_row.csv
run cat long_row.csv --max-record-size 100
check_err "--max-record-size 100 on CSV: a 105-byte row is an error naming its line" 1 "long_row.csv:3:" "limit of 100 bytes"
run cat long_row.csv --max-record-size 100 --block-size 4KiB --skip-bad-rows
check_err "--max-record-size on CSV: the same with --skip-bad-rows and 4 KiB blocks" 1 "long_row.csv:3:" "limit of 100 bytes"
run cat long_row.csv --max-record-size 105
cp long_row.csv long_row.expected.csv
check_stdout "--max-record-size 105 on CSV: the row at the limit reads" long_row.expected.csv

# --skip-bad-rows: invalid JSON, a non-object, an unconvertible value, two values on a line.
printf '{"a":1,"b":"x"}\n{"a":2,"b":\n[1,2]\n{"a":3,"b":"y"}\n{"a":"oops","b":"z"}\n\n{"a":5,"b":"w"} {"a":6}\n{"a":7,"b":"v"}\n' >badrec.ndjson
printf 'a,b\n1,x\n3,y\n7,v\n' >badrec.expected.csv
run convert badrec.ndjson badrec.csv --skip-bad-rows --types a=int64
check_same "--skip-bad-rows on NDJSON drops the bad records" badrec.csv badrec.expected.csv
check_err "--skip-bad-rows on NDJSON lists the skipped lines" 0 "badrec.ndjson: skipped 4 bad records" "line 2 (invalid JSON" "line 3 (a record is not a JSON object)" "line 5 (value \"oops\"" "line 7 (more than one JSON value on a line)"
run cat badrec.ndjson --types a=int64
check_err "without --skip-bad-rows the first bad record fails" 1 "badrec.ndjson:2:" "byte offset 16"
awk 'BEGIN { for (i = 1; i <= 4000; i++) if (i % 1000 == 0) print "{\"id\":" i ",\"v\":}"; else if (i == 2222) print "[1]"; else printf "{\"id\":%d,\"v\":%d}\n", i, i }' >gbad.ndjson
printf '{"rows": 3995, "columns": [{"name": "id", "type": "int64", "nulls": 0}, {"name": "v", "type": "int64", "nulls": 0}], "bad_rows": 5}\n' >gbad_scan.expected
run scan gbad.ndjson --skip-bad-rows --threads 3 --block-size 4KiB
check_stdout "scan --skip-bad-rows --threads 3 on NDJSON counts rows and bad rows" gbad_scan.expected
check_err "scan --skip-bad-rows --threads 3: the right lines" 0 "skipped 5 bad records" "line 1000 " "line 2000 " "line 2222 " "line 3000 " "line 4000 "

# --skip-bad-rows reads NDJSON as the line path does, whatever mixes of bad lines, blank lines and
# long records a chunk holds (fast passes restart after each bad line: a record starting after blank
# lines, two values on a line, a record spanning lines, one longer than a restart's window).
awk 'BEGIN {
  srand(11); bad = 0; good = 0; x = "x"; while (length(x) < 70000) x = x x;
  for (i = 1; i <= 6000; i++) {
    k = int(rand() * 14);
    if (k == 0) { print ""; continue }
    if (k == 1) { print "  \t "; continue }
    if (k == 2) { print "{\"a\":" i ","; bad++; continue }
    if (k == 3) { print "{\"a\":" i "} {\"a\":1}"; bad++; continue }
    if (k == 4) { print "{\"a\":"; print i "}"; bad += 2; continue }
    if (k == 5) { print "[" i "]"; bad++; continue }
    if (k == 6) { print "{\"a\":\"x" i "\"}"; bad++; continue }
    if (k == 7) { print "{\"a\":" i "}}"; bad++; continue }
    if (k == 8 && i % 50 == 0) { print "{\"a\":" i ",\"s\":\"" x "\"}"; print i > "mixbad.expected"; good++; continue }
    print "{\"a\":" i ",\"s\":\"v\"}"; print i > "mixbad.expected"; good++
  }
  print bad > "mixbad.count"
}' >mixbad.ndjson
mixbad_ok=1
for bs in 1KiB 16KiB 512KiB; do
  for t in 1 3; do
    # (with every column declared and the rest ignored, the schema is complete: another path)
    for decl in "--types a=int64" "--types a=int64,s=string --unknown-fields ignore"; do
      # shellcheck disable=SC2086
      run cat mixbad.ndjson --skip-bad-rows $decl --columns a --block-size "$bs" --threads "$t" --max-record-size 1MiB
      tail -n +2 "$CAP/out" >mixbad.got
      if [[ $rc != 0 ]] || ! cmp -s mixbad.got mixbad.expected || ! grep -q "skipped $(cat mixbad.count) bad records" "$CAP/err"; then
        mixbad_ok=0
        fail "--skip-bad-rows on mixed bad NDJSON lines (--block-size $bs --threads $t $decl)" "rc $rc" \
          "$(diff mixbad.expected mixbad.got | head -5)" "$(head -c 200 "$CAP/err")"
      fi
    done
  done
done
((mixbad_ok)) && pass "--skip-bad-rows on mixed bad NDJSON lines keeps exactly the good ones, at every block size and thread count"

# --non-finite: NaN and infinities in a CSV float column.
printf 'k,x\n1,1.5\n2,nan\n3,inf\n4,-inf\n5,\n' >nonfin.csv
printf '{"k":1,"x":1.5}\n{"k":2,"x":null}\n{"k":3,"x":null}\n{"k":4,"x":null}\n{"k":5,"x":null}\n' >nonfin.expected
run convert nonfin.csv nonfin.ndjson
check_same "NaN and infinities written as null by default" nonfin.ndjson nonfin.expected
check_stderr_is "the nulls written for NaN and infinities are counted on stderr" "sluice: nonfin.ndjson: wrote 3 NaN or infinite values as null"
run convert nonfin.csv nonfin_null.ndjson --non-finite null
check_same "--non-finite null" nonfin_null.ndjson nonfin.expected
before=$(listing)
run convert nonfin.csv nonfin_err.ndjson --non-finite error
after=$(listing)
check_err "--non-finite error: exit 1, column named" 1 "nonfin_err.ndjson" "NaN" "column 'x'"
if [[ "$before" == "$after" ]]; then pass "--non-finite error leaves no output"; else fail "--non-finite error leaves no output" "new: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"; fi
# Rows in messages are data rows counted from 0, as everywhere (lines count from 1): "row 1" is the
# second data row.
check_err "--non-finite error names the row (0-based data rows)" 1 "row 1"
run convert nonfin.csv nonfin_bad.ndjson --non-finite maybe
check_err "--non-finite maybe: exit 2" 2 "--non-finite"

# --invalid-utf8: a CSV with an invalid byte, to NDJSON.
printf 'k,s\n1,ok\n2,a\xffb\n3,caf\xc3\xa9\n' >badu.csv
printf '{"k":1,"s":"ok"}\n{"k":2,"s":"a\xef\xbf\xbdb"}\n{"k":3,"s":"caf\xc3\xa9"}\n' >badu.expected
run convert badu.csv badu.ndjson
check_same "invalid UTF-8 replaced with U+FFFD by default" badu.ndjson badu.expected
run convert badu.csv badu_r.ndjson --invalid-utf8 replace
check_same "--invalid-utf8 replace" badu_r.ndjson badu.expected
before=$(listing)
run convert badu.csv badu_e.ndjson --invalid-utf8 error
after=$(listing)
check_err "--invalid-utf8 error: exit 1, column named" 1 "badu_e.ndjson" "UTF-8" "column 's'"
if [[ "$before" == "$after" ]]; then pass "--invalid-utf8 error leaves no output"; else fail "--invalid-utf8 error leaves no output" "new: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"; fi
printf 'k,s\n1,\xe2\x82\n2,\xc0\xaf\n' >badu2.csv
printf '{"k":1,"s":"\xef\xbf\xbd"}\n{"k":2,"s":"\xef\xbf\xbd\xef\xbf\xbd"}\n' >badu2.expected
run convert badu2.csv - --to ndjson
check_stdout "a truncated sequence is one U+FFFD, an overlong one two" badu2.expected

# --omit-nulls
expect omit.expected <<'EOF'
{"id":1,"name":"alice","score":1.5,"day":"2024-01-02"}
{"id":2,"name":"bob, jr","day":"2024-01-03"}
{"id":3,"name":"say \"hi\"","score":-2.0}
{"id":4,"name":"dave","score":10.0,"day":"2024-02-29"}
EOF
run convert people.csv omit.ndjson --omit-nulls
check_same "--omit-nulls leaves null fields out" omit.ndjson omit.expected
printf '{"id":1,"user":{"name":"ann","age":31}}\n{"id":2,"user":{"name":"bo"}}\n{}\n' >omit_nested_in.ndjson
printf '{"id":1,"user":{"name":"ann","age":31}}\n{"id":2,"user":{"name":"bo","age":null}}\n{"id":null,"user":null}\n' >omit_nested_in.nulls.expected
run cat omit_nested_in.ndjson --to ndjson
check_stdout "a missing key and a missing nested key are null" omit_nested_in.nulls.expected
printf '{"id":1,"user":{"name":"ann","age":31}}\n{"id":2,"user":{"name":"bo"}}\n{}\n' >omit_nested_out.expected
run cat omit_nested_in.ndjson --to ndjson --omit-nulls
check_stdout "--omit-nulls also inside nested objects" omit_nested_out.expected
run convert people.csv omit.csv --omit-nulls
check_err "--omit-nulls with CSV output: exit 2, named" 2 "--omit-nulls"

# Invalid JSON: exit 1, file:line: and the byte offset.
printf '{"a":1}\n{"a":2}\n{"a":3,}\n{"a":4}\n' >inv.ndjson
run cat inv.ndjson
check_err "invalid JSON: exit 1, file:line, byte offset" 1 "inv.ndjson:3:" "invalid JSON" "(byte offset 16)"
printf '[{"a":1},\n{"a":2},\n{"a":3,}]\n' >inv.json
run cat inv.json
check_err "invalid JSON in an array: exit 1, file:line, byte offset" 1 "inv.json:3:" "invalid JSON" "(byte offset 19)"
printf '[{"a":1},\n{"a":2}\n' >unclosed.json
run cat unclosed.json
check_err "an unclosed array: exit 1, file:line" 1 "unclosed.json:3:" "ends before the JSON array is closed" "(byte offset 18)"
printf '{"a":1}\n{"a":2}\n{"a":3' >trunc.ndjson
run cat trunc.ndjson
check_err "a truncated last record: exit 1, file:line" 1 "trunc.ndjson:3:" "(byte offset 16)"
printf '{"a":1}\n{"a":"\xff"}\n' >badutf_in.ndjson
run cat badutf_in.ndjson
check_err "invalid UTF-8 in NDJSON input: exit 1, file:line" 1 "badutf_in.ndjson:2:" "UTF-8" "(byte offset 8)"
awk 'BEGIN { for (i = 1; i <= 5000; i++) if (i == 4321) printf "{\"id\":4321,\"v\":}\r\n"; else printf "{\"id\":%d,\"v\":%d}\r\n", i, i }' >gen_bad.ndjson
off=$(grep -b -a '"v":}' gen_bad.ndjson | cut -d: -f1)
for t in 1 3; do
  run scan gen_bad.ndjson --threads "$t" --block-size 4KiB
  check_err "invalid JSON at line 4321 of a CRLF file, --threads $t: right line and offset" 1 "gen_bad.ndjson:4321:" "byte offset $off)"
done

# Bad option values: exit 2, before any output is created.
before=$(listing)
for opt in "--json-format yaml" "--unknown-fields maybe" "--big-integers float" "--infer-rows some" "--invalid-utf8 drop"; do
  # shellcheck disable=SC2086
  run convert in.ndjson opt_out.ndjson $opt
  check_err "bad value '$opt': exit 2, named" 2 "${opt%% *}"
done
after=$(listing)
if [[ "$before" == "$after" ]]; then pass "bad option values leave no output"; else fail "bad option values leave no output" "new: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"; fi
run cat people.csv --json-format lines
check_err "an NDJSON reading option on CSV input: exit 2, named" 2 "--json-format"

# A failed convert leaves neither the target nor a hidden temporary file.
awk 'BEGIN { for (i = 1; i <= 200000; i++) printf "{\"id\":%d,\"s\":\"x%d\"}\n", i, i; print "{\"id\":1,,}" }' >badend.ndjson
before=$(listing)
run convert badend.ndjson badend.csv --block-size 16KiB
after=$(listing)
if [[ "$rc" == 1 && ! -e badend.csv && "$before" == "$after" ]] && grep -qF "badend.ndjson:200001:" "$CAP/err"; then
  pass "failed NDJSON convert: exit 1, no output, no temp file"
else
  fail "failed NDJSON convert: exit 1, no output, no temp file" "exit $rc (want 1); new entries: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"
fi
before=$(listing)
run convert badend.ndjson badend.json --block-size 16KiB
after=$(listing)
if [[ "$rc" == 1 && ! -e badend.json && "$before" == "$after" ]]; then
  pass "failed convert to .json: exit 1, no output, no temp file"
else
  fail "failed convert to .json: exit 1, no output, no temp file" "exit $rc (want 1); new entries: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"
fi

# NDJSON to CSV when a column first appears after the inference sample and after the first batch.
awk 'BEGIN { for (i = 1; i <= 2000; i++) if (i < 1500) printf "{\"id\":%d,\"v\":%d}\n", i, i; else printf "{\"id\":%d,\"v\":%d,\"extra\":\"e%d\"}\n", i, i, i }' >late.ndjson
before=$(listing)
run convert late.ndjson late.csv --infer-rows 1 --block-size 4KiB
after=$(listing)
if [[ "$rc" != 0 && ! -e late.csv && "$before" == "$after" ]] && grep -qF -- "--infer-rows all" "$CAP/err" && grep -qF "CSV header" "$CAP/err"; then
  pass "a column after the CSV header: refused, names --infer-rows all, no output"
else
  fail "a column after the CSV header: refused, names --infer-rows all, no output" "exit $rc; new entries: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"
fi
# Bad data, not a usage error: exit 1, naming the output and the column.
check_err "a column after the CSV header: exit 1, names the output and column" 1 "late.csv" "extra" "--infer-rows all"
run convert late.ndjson late.csv --infer-rows all --block-size 4KiB
if [[ "$rc" == 0 ]] && [[ "$(sed -n '1p;2p;1500p;1501p;$p' late.csv | tr '\n' ' ')" == "id,v,extra 1,1, 1499,1499, 1500,1500,e1500 2000,2000,e2000 " ]] && [[ "$(wc -l <late.csv)" == 2001 ]]; then
  pass "a late column with --infer-rows all: header has it, earlier rows empty"
else
  fail "a late column with --infer-rows all: header has it, earlier rows empty" "exit $rc: $(sed -n '1p;2p;1500p;1501p' late.csv 2>/dev/null | tr '\n' ' ')"
fi
run convert late.ndjson late.ndjson.out --to ndjson --infer-rows 1 --block-size 4KiB
if [[ "$rc" == 0 ]] && [[ "$(sed -n '1p;1501p' late.ndjson.out | tr '\n' ' ')" == '{"id":1,"v":1} {"id":1501,"v":1501,"extra":"e1501"} ' ]]; then
  pass "a late column in NDJSON output: each record has the keys known so far"
else
  fail "a late column in NDJSON output: each record has the keys known so far" "exit $rc: $(sed -n '1p;1501p' late.ndjson.out 2>/dev/null | tr '\n' ' ')"
fi

# A JSON array or concatenated objects spanning more than two read blocks.
awk 'BEGIN { print "["; for (i = 1; i <= 5000; i++) printf "{\"id\":%d,\"v\":%d}%s\n", i, i, (i < 5000 ? "," : ""); print "]" }' >gen.json
printf '{"rows": 5000, "columns": [{"name": "id", "type": "int64", "nulls": 0}, {"name": "v", "type": "int64", "nulls": 0}]}\n' >gen_json_scan.expected
run scan gen.json --threads 1
check_stdout "scan a JSON array in one block" gen_json_scan.expected
# A valid array (or pretty-printed objects) over many blocks (this was cut at a stale position).
run scan gen.json --threads 1 --block-size 4KiB
check_stdout "scan a JSON array in many blocks" gen_json_scan.expected
# scan when the schema gains columns after the sample (it used to index past its null counts).
printf '{"a":1}\n{"a":2,"b":"x"}\n{"c":[1]}\n' >grows.ndjson
printf '{"rows": 3, "columns": [{"name": "a", "type": "int64", "nulls": 1}, {"name": "b", "type": "string", "nulls": 2}, {"name": "c", "type": "list<int64>", "nulls": 2}]}\n' >grows_scan.expected
run scan grows.ndjson --infer-rows 0
check_stdout "scan counts nulls of columns that appear later" grows_scan.expected
run scan grows.ndjson --infer-rows 1 --threads 3
check_stdout "scan counts nulls of columns that appear later (sample of 1, 3 threads)" grows_scan.expected

# ---- Parquet --------------------------------------------------------------------------------------
# examples/orders.parquet is examples/orders.csv written by DuckDB (plus a list and a map column):
# the same rows come out of both, whole and through --columns / --where.
cols=order_id,customer,amount,quantity,paid,order_date,shipped_at,note
run cat "$EX/orders.csv"
cp "$CAP/out" orders_from_csv.csv
run cat "$EX/orders.parquet" --columns "$cols"
check_stdout "parquet: the CSV's rows and text" orders_from_csv.csv
run cat "$EX/orders.csv" --columns order_id,note --where "amount >= 500 and paid = true"
cp "$CAP/out" filtered_from_csv.csv
run cat "$EX/orders.parquet" --columns order_id,note --where "amount >= 500 and paid = true" --threads 2
check_stdout "parquet --where on a column left out by --columns" filtered_from_csv.csv
tree="(amount >= 500 or customer ilike 'GRACE%') and not paid = false and note not like '%weeks' and quantity between 1 and 20"
run cat "$EX/orders.csv" --columns order_id,note --where "$tree"
cp "$CAP/out" tree_from_csv.csv
if [[ $rc == 0 ]] && (($(wc -l <tree_from_csv.csv) > 2)) && grep -q "^1003," tree_from_csv.csv &&
   ! grep -q "^1001," tree_from_csv.csv; then pass "csv --where with OR, NOT, ILIKE, NOT LIKE, BETWEEN";
else fail "csv --where with OR, NOT, ILIKE, NOT LIKE, BETWEEN" "rc $rc: $(cat "$CAP/out" "$CAP/err")"; fi
run cat "$EX/orders.parquet" --columns order_id,note --where "$tree" --threads 2
check_stdout "parquet --where with OR, NOT, ILIKE, NOT LIKE, BETWEEN: the CSV's rows" tree_from_csv.csv
run cat "$EX/orders.csv" --where "shipped_at > order_date and quantity < amount"
cp "$CAP/out" two_columns.csv
if [[ $rc == 0 ]] && (($(wc -l <two_columns.csv) > 2)); then pass "csv --where comparing two columns";
else fail "csv --where comparing two columns" "rc $rc: $(cat "$CAP/err")"; fi
run cat "$EX/orders.parquet" --columns "$cols" --where "shipped_at > order_date and quantity < amount"
check_stdout "parquet --where comparing two columns: the CSV's rows" two_columns.csv
run cat "$EX/orders.csv" --where "customer = knuth"
check_err "--where with a bare word names a column: exit 2" 2 "a string takes single quotes: 'knuth'"
run cat "$EX/orders.parquet" --where "customer = knuth"
check_err "parquet --where with a bare word names a column: exit 1" 1 "a string takes single quotes: 'knuth'"
run cat "$EX/orders.csv" --where "amount > 5 or"
check_err "--where cut short after OR: exit 2" 2 "position 14: expected a column name"
run cat "$EX/orders.csv" --where "(amount > 5"
check_err "--where with an open parenthesis: exit 2" 2 "to close the '('"
run cat "$EX/orders.parquet" --where "amount like '5%'"
check_err "--where LIKE on a number: exit 1" 1 "LIKE needs a string column"
run schema "$EX/orders.parquet"
if [[ $rc == 0 ]] && grep -q "lines: list<struct<sku: string, qty: int64>>" "$CAP/out" &&
   grep -q "REPEATED group key_value" "$CAP/out"; then pass "parquet schema: ours and the file's"; else fail "parquet schema: ours and the file's" "rc $rc"; fi
run inspect "$EX/orders.parquet"
if [[ $rc == 0 ]] && grep -q "created_by: DuckDB" "$CAP/out" && grep -q "statistics:" "$CAP/out"; then
  pass "parquet inspect"; else fail "parquet inspect" "rc $rc"; fi
run inspect "$EX/orders.csv"
check_err "inspect a CSV: exit 2" 2 "inspect reads Parquet"
run head "$EX/orders.parquet" --columns nope
check_err "parquet unknown column: exit 1" 1 "no column 'nope'" "orders.parquet"
run head "$EX/orders.parquet" --where "amount > 'x'"
check_err "parquet --where with a string for a number: exit 1" 1 "amount"
head -c 200 "$EX/orders.parquet" >cut.parquet
run scan cut.parquet
check_err "truncated parquet: exit 1" 1 "cut.parquet"
run cat - --from parquet <"$EX/orders.parquet"
check_err "parquet from a pipe: exit 1" 1 "random access"

# Writing Parquet: what sluice writes reads back as the rows it was given (DuckDB checks the same
# files in tests/oracle/parquet_write_oracle.mjs).
run cat "$EX/orders.parquet"
cp "$CAP/out" orders_all.csv
for codec in uncompressed snappy gzip zstd lz4 brotli; do
  run convert "$EX/orders.parquet" "w_$codec.parquet" --compression "$codec"
  if [[ $rc != 0 ]]; then fail "parquet write $codec" "rc $rc"; continue; fi
  run cat "w_$codec.parquet"
  check_stdout "parquet write $codec: same rows (nested too)" orders_all.csv
done
run inspect w_zstd.parquet
if [[ $rc == 0 ]] && grep -q "created_by: sluice version" "$CAP/out" && grep -q "ZSTD" "$CAP/out" &&
   grep -q "column_index" "$CAP/out"; then pass "parquet write: footer names sluice, codec, page index";
else fail "parquet write: footer names sluice, codec, page index" "rc $rc"; fi
run convert "$EX/orders.csv" w_csv.parquet --compression gzip:9 --page-version 2 --dictionary off --row-group-rows 7 \
  --page-size 100 --bloom-filter customer --encoding amount=byte_stream_split,order_id=delta_binary_packed,note=delta_byte_array \
  --page-checksums
run cat w_csv.parquet --verify-checksums
check_stdout "parquet write with every option: same rows" orders_from_csv.csv
run inspect w_csv.parquet
if [[ $rc == 0 ]] && grep -q "row_groups: 9" "$CAP/out" && grep -q "BYTE_STREAM_SPLIT" "$CAP/out" &&
   grep -q "DELTA_BINARY_PACKED" "$CAP/out" && grep -q "DELTA_BYTE_ARRAY" "$CAP/out" && grep -q "bloom_filter" "$CAP/out" &&
   ! grep -q "RLE_DICTIONARY" "$CAP/out"; then pass "parquet write options reach the file";
else fail "parquet write options reach the file" "rc $rc"; fi
run cat w_csv.parquet --where "customer = 'Nobody Atall'"
if [[ $rc == 0 && ! -s "$CAP/out" ]] || [[ $rc == 0 && $(wc -l <"$CAP/out") == 1 ]]; then pass "parquet write: bloom filter and stats prune";
else fail "parquet write: bloom filter and stats prune" "rc $rc"; fi
run convert "$EX/orders.csv" w_nostats.parquet --statistics off
run inspect w_nostats.parquet
if [[ $rc == 0 ]] && ! grep -q "min " "$CAP/out" && ! grep -q "column_index" "$CAP/out"; then pass "parquet --statistics off";
else fail "parquet --statistics off" "rc $rc"; fi
run convert "$EX/orders.csv" w_t1.parquet --threads 1 --row-group-rows 20 --page-size 64
run convert "$EX/orders.csv" w_t2.parquet --threads 2 --row-group-rows 20 --page-size 64
if cmp -s w_t1.parquet w_t2.parquet; then pass "parquet write: 1 and 2 threads, same bytes"; else fail "parquet write: 1 and 2 threads, same bytes"; fi
# scan reads a Parquet file's row groups on its threads at once (in no order): the same counts.
run scan w_t1.parquet --threads 1
cp "$CAP/out" scan_pq1.json
run scan w_t1.parquet --threads 3
check_stdout "parquet scan: row groups on 3 threads at once, the counts of one thread" scan_pq1.json
run scan w_t1.parquet --threads 1 --where "amount >= 500 and paid = true" --columns order_id,note
cp "$CAP/out" scan_pqw1.json
run scan w_t1.parquet --threads 3 --where "amount >= 500 and paid = true" --columns order_id,note
check_stdout "parquet scan --where --columns on 3 threads: the counts of one thread" scan_pqw1.json
run cat w_t1.parquet --where "amount >= 500 and paid = true" --columns order_id
want_rows=$(( $(wc -l <"$CAP/out") - 1 ))
if grep -q "^{\"rows\": $want_rows, \"columns\": \[{\"name\": \"order_id\"" scan_pqw1.json && [[ $want_rows -gt 0 ]]; then
  pass "parquet scan --where counts the rows cat --where prints ($want_rows)"
else
  fail "parquet scan --where counts the rows cat --where prints ($want_rows)" "$(head -c 200 scan_pqw1.json)"
fi
run cat "$EX/orders.csv" --to parquet
cp "$CAP/out" w_stdout.parquet
run cat w_stdout.parquet
check_stdout "parquet written to stdout" orders_from_csv.csv
run cat "$EX/events.ndjson"
cp "$CAP/out" events_direct.csv
run convert "$EX/events.ndjson" w_events.parquet
run cat w_events.parquet
check_stdout "ndjson to parquet: same rows" events_direct.csv
run convert "$EX/orders.csv" w_bad.parquet --encoding note=delta_binary_packed
check_err "parquet: encoding that does not apply: exit 2" 2 "DELTA_BINARY_PACKED" "note"
run convert "$EX/orders.csv" w_bad.parquet --bloom-filter nope
check_err "parquet: unknown column in an option: exit 2" 2 "nope"
printf 'a,b\n1,x\n2,y\nthree,z\n' >badint.csv
run convert badint.csv w_bad.parquet --types a=int64
check_err "parquet: bad value: exit 1" 1 "badint.csv"
if ls w_bad.parquet* >/dev/null 2>&1; then fail "failed parquet convert leaves nothing" "$(ls w_bad.parquet*)";
else pass "failed parquet convert leaves nothing"; fi
printf 'a,b\n' >empty.csv
run convert empty.csv w_empty.parquet --types a=int64,b=string
run schema w_empty.parquet
if [[ $rc == 0 ]] && grep -q "a: int64" "$CAP/out" && grep -q "b: string" "$CAP/out"; then pass "parquet: empty input keeps its schema";
else fail "parquet: empty input keeps its schema" "rc $rc"; fi

cd "$W" || exit 1

# ---- Datasets: --schema-from first -------------------------------------------------------------
# Later CSV files read the first file's columns with its types (digits stay strings, a missing
# column is null); to Parquet, where the types are needed before the first row.
mkdir -p sf_csv
printf 'code,price\nA1,1.5\n' >sf_csv/1.csv
printf 'code\n0123\n' >sf_csv/2.csv
expect sf.expected.csv <<'EOF'
code,price
A1,1.5
0123,
EOF
run convert sf_csv/ sf.parquet --schema-from first
run cat sf.parquet
check_stdout "--schema-from first: later CSV files read with the first file's types" sf.expected.csv
run schema sf.parquet
if [[ $rc == 0 ]] && grep -q "code: string" "$CAP/out" && grep -q "price: float64" "$CAP/out"; then
  pass "--schema-from first: the first file's schema"
else fail "--schema-from first: the first file's schema" "rc $rc" "$(cat "$CAP/out")"; fi
printf 'price\nfree\n' >sf_csv/3.csv
run cat sf_csv/ --schema-from first
check_err "--schema-from first: a value that does not fit names the first file" 1 "sf_csv/3.csv" "'free'" \
  "the column is float64 in sf_csv/1.csv"

# ---- Datasets: scan reads several files at once ---------------------------------------------------
# `scan DIR/` on 3 threads reads the files at once (one per thread): the same counts as 1 thread, each
# file's bad rows reported (in no set order), the partition column, --where and --columns applied.
mkdir -p sc_csv/k=a sc_csv/k=b
for f in 1 2 3 4 5 6 7; do
  awk -v f="$f" 'BEGIN { print "x,y"; for (i = 1; i <= 200 * f; i++) print f * 10000 + i "," ((i % 97 == 0) ? "bad" : (i % 5 ? i : "")) }' \
    >"sc_csv/k=$( ((f % 2)) && echo a || echo b)/f$f.csv"
done
run scan sc_csv/ --types y=int64 --skip-bad-rows --threads 1
cp "$CAP/out" sc1.json
sort "$CAP/err" >sc1.err
run scan sc_csv/ --types y=int64 --skip-bad-rows --threads 3
cp "$CAP/out" sc3.json
sort "$CAP/err" >sc3.err
check_same "scan DIR/ --threads 3 equals --threads 1 (rows, nulls, bad rows)" sc3.json sc1.json
if grep -q '"rows": 5544, ' sc1.json && grep -q '"bad_rows": 56,' sc1.json && cmp -s sc1.err sc3.err &&
  [[ $(wc -l <sc3.err) == 7 ]] && grep -q "sc_csv/k=b/f6.csv: skipped 12 bad rows" sc3.err; then
  pass "scan DIR/ --threads 3: every file's bad rows counted and reported once"
else fail "scan DIR/ --threads 3: every file's bad rows counted and reported once" "$(cat sc1.json)" "$(cat sc3.err)"; fi
run convert sc_csv/ sc_pq/ --types y=int64 --skip-bad-rows --partition-by k --max-rows-per-file 150
run scan sc_pq/ --where "k = 'b' and y > 100" --columns y --threads 1
cp "$CAP/out" scw1.json
run scan sc_pq/ --where "k = 'b' and y > 100" --columns y --threads 3
cp "$CAP/out" scw3.json
run cat sc_pq/ --where "k = 'b' and y > 100" --columns y
want=$(($(wc -l <"$CAP/out") - 1))
check_same "scan Parquet DIR/ --where --columns --threads 3 equals --threads 1" scw3.json scw1.json
if grep -q "\"rows\": $want, " scw3.json && ((want > 100)); then pass "scan Parquet DIR/ --threads 3 counts what cat prints ($want)"
else fail "scan Parquet DIR/ --threads 3 counts what cat prints ($want)" "$(cat scw3.json)"; fi

# ---- Geometries: WKT in, GEOMETRY in Parquet, WKT out ----------------------------------------------
printf 'id,g\n1,POINT(1 2)\n2,\n3,"linestring z (0 0 1, 1 1 2)"\n' >geo.csv
expect geo.expected.csv <<'EOF'
id,g
1,POINT (1 2)
2,
3,"LINESTRING Z (0 0 1, 1 1 2)"
EOF
run convert geo.csv geo.parquet --types g=geometry
run cat geo.parquet
check_stdout "--types g=geometry: WKT to a Parquet GEOMETRY and back as DuckDB prints it" geo.expected.csv
run schema geo.parquet
grep -q "BYTE_ARRAY g (GEOMETRY)" "$CAP/out" || rc="schema: $(cat "$CAP/out")"
[[ $rc == 0 ]] && run inspect geo.parquet
if [[ $rc == 0 ]] && grep -q "bbox x \[0, 1\] y \[0, 2\] z \[1, 2\] types \[1 1002\]" "$CAP/out"; then
  pass "--types g=geometry: GEOMETRY with geospatial statistics"
else fail "--types g=geometry: GEOMETRY with geospatial statistics" "rc $rc" "$(cat "$CAP/out")"; fi
printf 'id,g\n1,POINT(1)\n' >badgeo.csv
run convert badgeo.csv badgeo.parquet --types 'g=geometry(EPSG:4326)'
check_err "--types geometry: text that is not WKT is an error naming it" 1 "badgeo.csv:2" "'POINT(1)' is not a valid geometry(EPSG:4326)"

# ---- Binary in CSV: as DuckDB prints a BLOB, and back ---------------------------------------------
printf '{"id":1,"b":"AP9cQQ=="}\n{"id":2,"b":"YWIsYw=="}\n{"id":3,"b":null}\n' >blob.ndjson
expect blob.expected.csv <<'EOF'
id,b
1,\x00\xFF\x5CA
2,"ab,c"
3,
EOF
run convert blob.ndjson blob.parquet --types b=binary
run cat blob.parquet
check_stdout "binary in CSV: \\xHH escapes as DuckDB prints a BLOB" blob.expected.csv
cp "$CAP/out" blob.csv
run convert blob.csv blob2.parquet --types b=blob
run cat blob2.parquet --to ndjson
if [[ $rc == 0 ]] && [[ "$(cat "$CAP/out")" == "$(cat blob.ndjson | sed 's/"id":\([0-9]\),/"id":\1,/')" ]]; then
  pass "binary in CSV: --types b=blob reads the escapes back to the same bytes"
else fail "binary in CSV: --types b=blob reads the escapes back to the same bytes" "rc $rc" "$(cat "$CAP/out")"; fi

# ---- Summary -----------------------------------------------------------------------------------

echo
echo "$passed passed, $failed failed"
if ((failed)); then
  printf 'failed: %s\n' "${failed_names[@]}"
  exit 1
fi
exit 0
