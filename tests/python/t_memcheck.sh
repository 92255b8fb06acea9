# Under memcheck (not arrcheck) arrdbg holds no freed buffer back: the
# dangling read of samples/np_dangling.py is reported the same with and
# without arrdbg (kind, size, the extension's function), as many times.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v valgrind >/dev/null || { echo "FAIL: valgrind is not installed (make deps)"; exit 1; }
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
export PYTHONPATH=$ARRDBG_BUILD/python:$ARRDBG_BUILD/samples
errors() {  # the memcheck errors of a log: "Invalid read of size 8 at read_first"
    awk '/== [A-Z][a-z]+ (read|write) of size/ {k=$0; sub(/^==[0-9]+== /, "", k); getline;
         sub(/^.*: /, ""); sub(/ \(.*/, ""); print k " at " $0}' "$1"
}
timeout 200 valgrind --tool=memcheck "$ARRDBG_PYTHON" "$root/samples/np_dangling.py" > "$d/plain" 2>&1
timeout 200 valgrind --tool=memcheck "$ARRDBG_PYTHON" -m arrdbg run -q "$root/samples/np_dangling.py" \
    > "$d/arrdbg" 2>&1
errors "$d/plain" > "$d/plain.e"; errors "$d/arrdbg" > "$d/arrdbg.e"
if ! grep -q "read_first" "$d/plain.e"; then
    echo "FAIL: plain memcheck does not report the dangling read:"; tail -20 "$d/plain"; exit 1
fi
if ! cmp -s "$d/plain.e" "$d/arrdbg.e"; then
    echo "FAIL: memcheck's errors differ with arrdbg"; diff "$d/plain.e" "$d/arrdbg.e"; exit 1
fi
echo "memcheck: $(wc -l < "$d/plain.e") error(s), the same with and without arrdbg"
