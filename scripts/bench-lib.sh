# Shared by scripts/bench-dhcp, bench-dns, bench-tftp and bench-storm (sourced, not run):
# where the server and the load run (CPU pinning), what a server costs (/proc), medians, and
# the JSON lines every measurement is recorded as (scripts/bench-report.py reads them).

# --- Pinning: the server on one core, the load generators on another. ----------------------
# BENCH_SERVER_CPU and BENCH_LOAD_CPU (default 0 and 1) name the cores. On a machine with one
# core pinning is off: both would share it anyway, and taskset would only hide that.
if [ "$(nproc)" -ge 2 ]; then
    bench_server_cpu=${BENCH_SERVER_CPU:-0}
    bench_load_cpu=${BENCH_LOAD_CPU:-1}
    on_server_cpu=(taskset -c "$bench_server_cpu")
    on_load_cpu=(taskset -c "$bench_load_cpu")
else
    bench_server_cpu=any bench_load_cpu=any
    on_server_cpu=() on_load_cpu=()
fi
# BENCH_NICE=N (e.g. -5) runs the server and the load at that niceness, both alike: on a
# machine shared with builds it keeps the measured processes from waiting behind them.
bench_nice=${BENCH_NICE:-0}
if [ "$bench_nice" != 0 ]; then
    [[ "$bench_nice" =~ ^-?[0-9]+$ ]] || { echo "bench: BENCH_NICE takes an integer, not '$bench_nice'" >&2; exit 2; }
    on_server_cpu=(nice -n "$bench_nice" "${on_server_cpu[@]}")
    on_load_cpu=(nice -n "$bench_nice" "${on_load_cpu[@]}")
fi
# BENCH_RT=PRIORITY (1-99) runs them under the real-time policy SCHED_FIFO (chrt -f) instead:
# a woken server or simulator then runs at once rather than after the builds' time slices,
# which decide a lock-step benchmark's wall time (the shaped storm) on a shared machine.
# Everything measured blocks on its sockets and is bounded in time; the kernel's real-time
# throttling (sched_rt_runtime_us, 95 % by default) still leaves the builds a share.
bench_rt=${BENCH_RT:-0}
if [ "$bench_rt" != 0 ]; then
    [[ "$bench_rt" =~ ^[1-9][0-9]?$ ]] || { echo "bench: BENCH_RT takes a priority 1-99, not '$bench_rt'" >&2; exit 2; }
    on_server_cpu=(chrt -f "$bench_rt" "${on_server_cpu[@]}")
    on_load_cpu=(chrt -f "$bench_rt" "${on_load_cpu[@]}")
fi

# --- The bramble measured. -----------------------------------------------------------------
# bench_bramble: the path of the bramble binary to measure: BRAMBLE when set, else the binary
# users run, built as scripts/package builds it (scripts/lib/release-build.sh: the Swift
# runtime linked in). A plain `swift build -c release` binary loads the runtime's shared
# libraries instead, about 3 MiB more resident memory than what a hub runs.
bench_bramble() {
    if [ -n "${BRAMBLE:-}" ]; then echo "$BRAMBLE"; return; fi
    source scripts/lib/release-build.sh
    release_build bramble
}

# --- What a server costs, from /proc. ---------------------------------------------------------
bench_tick=$(getconf CLK_TCK)

# cpu_ticks PID -> "utime stime" in clock ticks (fields 14 and 15 of /proc/PID/stat, counted
# after the "(comm)" field, which may hold spaces). Every thread of the process is included.
cpu_ticks() {
    awk '{sub(/.*\) /, ""); print $12, $13}' "/proc/$1/stat"
}

# cpu_delta "BEFORE" "AFTER" -> "user_s system_s" between two cpu_ticks readings.
cpu_delta() {
    awk -v b="$1" -v a="$2" -v hz="$bench_tick" 'BEGIN {
        split(b, x, " "); split(a, y, " ")
        printf "%.3f %.3f", (y[1] - x[1]) / hz, (y[2] - x[2]) / hz
    }'
}

# memory_json PID BOOT_DIR -> JSON members (no braces) describing the server's memory now:
# VmHWM (its peak resident set), RssAnon (its own heap and stacks), RssFile (mapped files:
# the executable, shared libraries, and any boot file it maps), and boot_mapped_kib, the
# resident pages of mappings under BOOT_DIR (/proc/PID/smaps). Boot files a server reads
# with read/pread sit in the page cache, shared with every process and counted in no RSS;
# only a server that maps them has them in RssFile, and boot_mapped_kib says how much.
memory_json() {
    local pid=$1 boot=${2:-/nonexistent}
    local status; status=$(awk '/^(VmHWM|VmRSS|RssAnon|RssFile|RssShmem):/ {printf "%s %s\n", $1, $2}' "/proc/$pid/status")
    local mapped; mapped=$(awk -v dir="$boot/" '
        /^[0-9a-f]+-[0-9a-f]+ / {inside = (index($6, dir) == 1)}
        inside && /^Rss:/ {sum += $2}
        END {print sum + 0}' "/proc/$pid/smaps" 2>/dev/null || echo 0)
    awk -v mapped="$mapped" '
        {v[$1] = $2}
        END {printf "\"vmhwm_kib\": %d, \"vmrss_kib\": %d, \"rss_anon_kib\": %d, \"rss_file_kib\": %d, \"rss_shmem_kib\": %d, \"boot_mapped_kib\": %d",
             v["VmHWM:"], v["VmRSS:"], v["RssAnon:"], v["RssFile:"], v["RssShmem:"], mapped}' <<<"$status"
}

# --- Records. ------------------------------------------------------------------------------
# record JSON_MEMBERS: appends one JSON line to BENCH_JSONL (when set) and shows it on
# standard error. Every line carries the benchmark's name (bench_name), the pinning and a
# timestamp; the caller adds workload, server, run and the numbers.
record() {
    local line
    line=$(printf '{"bench": "%s", %s, "server_cpu": "%s", "load_cpu": "%s", "nice": %d, "rt": %d, "time": "%s"}' \
        "$bench_name" "$1" "$bench_server_cpu" "$bench_load_cpu" "$bench_nice" "$bench_rt" "$(date -u +%Y-%m-%dT%H:%M:%SZ)")
    echo "$line" >&2
    [ -z "${BENCH_JSONL:-}" ] || echo "$line" >>"$BENCH_JSONL"
}

# median: the median of the numbers on standard input (the mean of the middle two for an
# even count).
median() {
    sort -g | awk '{v[NR] = $1} END {if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# servers_in_turn RUN: "bramble dnsmasq" in every run (bramble first, then dnsmasq, run
# after run: the alternation the issue asks for), or BENCH_SERVERS to narrow it.
servers_in_turn() { echo "${BENCH_SERVERS:-bramble dnsmasq}"; }
