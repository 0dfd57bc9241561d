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

# ---- Inputs ------------------------------------------------------------------------------------

printf 'id,name,score,day\n1,alice,1.5,2024-01-02\n2,"bob, jr",,2024-01-03\n3,"say ""hi""",-2,\n4,dave,10,2024-02-29\n' >people.csv

expect people.expected.csv <<'EOF'
id,name,score,day
1,alice,1.5,2024-01-02
2,"bob, jr",,2024-01-03
3,"say ""hi""",-2,
4,dave,10,2024-02-29
EOF
printf 'id\tname\tscore\tday\n1\talice\t1.5\t2024-01-02\n2\tbob, jr\t\t2024-01-03\n3\t"say ""hi"""\t-2\t\n4\tdave\t10\t2024-02-29\n' >people.expected.tsv

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
"3";"say ""hi""";"-2";
"4";"dave";"10";"2024-02-29"
EOF
run convert people.csv flags.csv --out-delimiter ';' --quoting all
check_same "--out-delimiter ';' --quoting all" flags.csv flags.expected.csv

printf '1,alice,1.5,2024-01-02\r\n2,"bob, jr",NA,2024-01-03\r\n3,"say ""hi""",-2,NA\r\n4,dave,10,2024-02-29\r\n' >crlf.expected.csv
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

# ---- head, schema, scan ------------------------------------------------------------------------

expect head3.expected <<'EOF'
id    | name     | score   | day
int64 | string   | float64 | date32
------+----------+---------+-----------
    1 | alice    |     1.5 | 2024-01-02
    2 | bob, jr  |    NULL | 2024-01-03
    3 | say "hi" |      -2 | NULL
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
    v = (i % 11 == 0) ? "" : i / 4
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
run convert people.csv out.parquet
check_err "unknown output format: exit 2" 2 "parquet"
if [[ -e out.parquet ]]; then fail "unknown output format: no file" "out.parquet exists"; else pass "unknown output format: no file"; fi

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

# ---- Summary -----------------------------------------------------------------------------------

echo
echo "$passed passed, $failed failed"
if ((failed)); then
  printf 'failed: %s\n' "${failed_names[@]}"
  exit 1
fi
exit 0
