#!/usr/bin/env python3
"""The table of the side-by-side benchmark, from the JSON lines its scripts record.

Usage: scripts/bench-report.py RECORDS.jsonl [--markdown FILE] [--summary FILE] [--title TEXT]
       scripts/bench-report.py --compare BEFORE/summary.jsonl AFTER/summary.jsonl

RECORDS.jsonl holds one line per measurement (scripts/bench-lib.sh `record`): bench,
workload, server, run and the numbers. This prints one markdown table in the shape of
issue 18's: for every workload the median of each server's runs (with the runs' range when
there are several), and bramble/dnsmasq, the ratio of the medians; the "better" column says
which way is bramble's better. CPU cells show the total and, in brackets, user and system
time apart (on veth much of the system time is the test network delivering to the clients).

--summary FILE writes the same rows as JSON lines ({"row", "unit", "better", "bramble",
"dnsmasq", "ratio", "bramble_runs", "dnsmasq_runs", ...}) for a later session to compare
before and after; --markdown FILE writes the table there too. --compare prints, for every
row both summaries hold, bramble's median and the bramble/dnsmasq ratio before and after:
compare the ratios (each measured side by side in its own run) more than absolute numbers.
"""
import argparse
import json
import statistics
import sys

SERVERS = ("dnsmasq", "bramble")


def median(values):
    return statistics.median(values) if values else None


def number(value, digits):
    if value is None:
        return "-"
    if digits == 0:
        return "{:,.0f}".format(value)
    return "{:,.{}f}".format(value, digits)


class Row:
    """One line of the table: a value per server (from its runs), their ratio."""

    def __init__(self, label, unit, better, digits, runs, split=None, note=""):
        self.label, self.unit, self.better, self.digits, self.note = label, unit, better, digits, note
        self.runs = runs                  # server -> [value per run]
        self.split = split or {}          # server -> (median user, median system)

    def median(self, server):
        return median(self.runs.get(server, []))

    def ratio(self):
        b, d = self.median("bramble"), self.median("dnsmasq")
        return b / d if b is not None and d else None

    def cell(self, server):
        values = self.runs.get(server, [])
        if not values:
            return "-"
        text = number(median(values), self.digits)
        if len(values) > 1:
            text += " ({}-{})".format(number(min(values), self.digits), number(max(values), self.digits))
        if server in self.split:
            user, system = self.split[server]
            text += " [u {} + s {}]".format(number(user, self.digits), number(system, self.digits))
        return text

    def split_ratios(self):
        if "bramble" not in self.split or "dnsmasq" not in self.split:
            return ""
        (bu, bs), (du, ds) = self.split["bramble"], self.split["dnsmasq"]
        parts = []
        for name, b, d in (("user", bu, du), ("system", bs, ds)):
            parts.append("{} {}".format(name, "{:.2f}".format(b / d) if d else "-"))
        return ", ".join(parts)

    def summary(self):
        return {
            "row": self.label, "unit": self.unit, "better": self.better,
            "bramble": self.median("bramble"), "dnsmasq": self.median("dnsmasq"), "ratio": self.ratio(),
            "bramble_runs": self.runs.get("bramble", []), "dnsmasq_runs": self.runs.get("dnsmasq", []),
            "split": {s: {"user": u, "system": v} for s, (u, v) in self.split.items()}, "note": self.note,
        }


def by_server(records, **match):
    """server -> [records] of the records whose fields equal `match`, in run order."""
    result = {}
    for record in records:
        if all(record.get(k) == v for k, v in match.items()):
            result.setdefault(record["server"], []).append(record)
    return result


def values(groups, field):
    return {s: [float(r[field]) for r in rs if field in r] for s, rs in groups.items()}


def split_of(groups, user, system):
    return {s: (median([float(r[user]) for r in rs]), median([float(r[system]) for r in rs])) for s, rs in groups.items() if rs}


def cpu_row(label, groups, user, system, unit, digits, note=""):
    totals = {s: [float(r[user]) + float(r[system]) for r in rs] for s, rs in groups.items()}
    return Row(label, unit, "lower", digits, totals, split_of(groups, user, system), note)


def memory_rows(name, records, bench):
    """Peak RSS and RssAnon of the servers over every measurement of one benchmark."""
    groups = by_server([r for r in records if r.get("bench") == bench and "vmhwm_kib" in r])
    if not groups:
        return []
    mib = lambda field: {s: [max(float(r[field]) for r in rs if r.get("run") == run) / 1024
                             for run in sorted({r.get("run") for r in rs})] for s, rs in groups.items()}
    rows = [Row("{}: peak RSS (VmHWM)".format(name), "MiB", "lower", 1, mib("vmhwm_kib")),
            Row("{}: RssAnon (the daemon's own memory)".format(name), "MiB", "lower", 1, mib("rss_anon_kib")),
            Row("{}: RssFile (executable, libraries, mapped files)".format(name), "MiB", "lower", 1, mib("rss_file_kib"))]
    mapped = mib("boot_mapped_kib")
    if any(any(v) for v in mapped.values()):
        rows.append(Row("{}: boot files mapped (page cache, in RssFile)".format(name), "MiB", "lower", 1, mapped))
    return rows


def dns_load_note(groups):
    """Says which side was the limit when the records hold the cores' idle time: the
    server's core idle while dnsperf's core was not means dnsperf set the rate."""
    notes = []
    for server, rs in sorted(groups.items()):
        if not all("server_core_idle_s" in r and "load_user_s" in r for r in rs):
            return ""
        seconds = median([float(r["seconds"]) for r in rs])
        server_busy = median([(float(r["user_s"]) + float(r["system_s"])) / float(r["seconds"]) for r in rs])
        load_busy = median([(float(r["load_user_s"]) + float(r["load_system_s"])) / float(r["seconds"]) for r in rs])
        idle = median([float(r["server_core_idle_s"]) for r in rs])
        notes.append("{}: server {:.0f} % of its core (idle {:.1f} of {:.0f} s), dnsperf {:.0f} %".format(
            server, 100 * server_busy, idle, seconds, 100 * load_busy))
    return "; ".join(notes)


def build_rows(records):
    rows = []
    # --- DHCP ---
    sustained = by_server(records, workload="dhcp-sustained")
    if sustained:
        top = max(r["ladder_top"] for rs in sustained.values() for r in rs)
        capped = any(r["sustained_rate"] >= top for rs in sustained.values() for r in rs)
        macs = max(r.get("clients", 0) for rs in sustained.values() for r in rs)
        rows.append(Row("DHCP (perfdhcp, relayed, {} static MACs): highest rate with < 1 % drops".format(macs), "exchanges/s",
                        "higher", 0, values(sustained, "sustained_rate"),
                        note="the ladder's top, {}/s, passed: the real limit is higher".format(top) if capped else ""))
    for workload, what in (("dhcp-cpu", "cpu"), ("dhcp-overload", "overload")):
        groups = by_server(records, workload=workload)
        for rate in sorted({r["rate_asked"] for rs in groups.values() for r in rs}):
            at = by_server(records, workload=workload, rate_asked=rate)
            if what == "cpu":
                rows.append(cpu_row("DHCP: CPU per completed exchange at {:,}/s".format(rate), at,
                                    "user_us_per_exchange", "system_us_per_exchange", "µs", 1))
                rows.append(Row("DHCP: completed at {:,}/s asked".format(rate), "exchanges/s", "higher", 0, values(at, "completed_per_s")))
            else:
                rows.append(Row("DHCP: completed at {:,}/s asked (overload)".format(rate), "exchanges/s", "higher", 0,
                                values(at, "completed_per_s")))
                rows.append(Row("DHCP: perfdhcp sent at {:,}/s asked (overload)".format(rate), "DISCOVERs/s", "-", 0,
                                values(at, "sent_per_s"), note="what the load core managed to send"))
    rows += memory_rows("DHCP", records, "dhcp")
    # --- DNS ---
    for kind, label in (("node", "node names (A)"), ("ptr", "node PTRs"), ("forwarded", "cached forwarded names")):
        groups = by_server(records, workload="dns", query=kind)
        if not groups:
            continue
        rows.append(Row("DNS max q/s, {}".format(label), "queries/s", "higher", 0, values(groups, "qps"),
                        note=dns_load_note(groups)))
        rows.append(cpu_row("DNS CPU per query, {}".format(label), groups, "user_us_per_query", "system_us_per_query", "µs", 2))
        if all("queries_per_cpu_s" in r for rs in groups.values() for r in rs):
            rows.append(Row("DNS capacity, {}: queries answered per second of the server's CPU".format(label), "queries/CPU-s",
                            "higher", 0, values(groups, "queries_per_cpu_s"),
                            note="what one busy core of the server answers; not bounded by dnsperf's core"))
    rows += memory_rows("DNS", records, "dns")
    # --- TFTP ---
    storm = [r for r in records if r.get("workload") == "tftp-storm"]
    shapes = sorted({(r["addresses"] != "distinct", r["client"], r["blksize"]) for r in storm})
    for one, client, blksize in shapes:
        addresses = "one" if one else "distinct"
        groups = by_server(storm, client=client, blksize=blksize, addresses=addresses)
        clients = max(r["clients"] for rs in groups.values() for r in rs)
        what = "TFTP, {} x {} ({} address{}), {}-byte blocks".format(
            clients, client, addresses, "es" if addresses != "one" else "", blksize)
        if addresses == "distinct":
            rows.append(cpu_row("{}: CPU per MB".format(what), groups, "user_ms_per_mb", "system_ms_per_mb", "ms", 2))
        rows.append(Row("{}: wall time".format(what), "s", "lower", 2, values(groups, "wall_s")))
        failures = {s: [float(r["failed_files"]) for r in rs] for s, rs in groups.items()}
        refused = {s: [float(r["refused_files"]) for r in rs] for s, rs in groups.items()}
        files = max(r["files"] for rs in groups.values() for r in rs)
        rows.append(Row("{}: files failed (of {})".format(what, files), "files", "lower", 0, failures))
        if addresses == "one" or any(any(v) for v in refused.values()):
            rows.append(Row("{}: files refused 'busy' (of {})".format(what, files), "files", "lower", 0, refused))
    rows += memory_rows("TFTP", records, "tftp")
    # --- The shaped-link storm: a group of rows per hub link speed (a run may measure several) ---
    hubs = sorted({r["hub_mbit"] for r in records if r.get("workload") == "shaped-storm"}, reverse=True)
    for hub in hubs:
        shaped = by_server(records, workload="shaped-storm", hub_mbit=hub)
        sample = next(iter(shaped.values()))[0]
        what = "Shaped storm, {} simulated Pis ({}), hub link {} Mbit/s".format(sample["pis"], sample["mix"], sample["hub_mbit"])
        rows.append(Row("{}: wall time".format(what), "s", "lower", 2, values(shaped, "wall_s")))
        rows.append(Row("{}: CPU".format(what), "s", "lower", 2, {s: [float(r["user_s"]) + float(r["system_s"]) for r in rs] for s, rs in shaped.items()},
                        split_of(shaped, "user_s", "system_s")))
        if all("load_user_s" in r for rs in shaped.values() for r in rs):
            rows.append(Row("{}: the simulators' CPU".format(what), "s", "lower", 2,
                            {s: [float(r["load_user_s"]) + float(r["load_system_s"]) for r in rs] for s, rs in shaped.items()},
                            split_of(shaped, "load_user_s", "load_system_s")))
        rows.append(Row("{}: what the hub's link allows for the bytes served".format(what), "s", "lower", 2, values(shaped, "link_s")))
        rows.append(Row("{}: wall time / link time".format(what), "%", "lower", 0, values(shaped, "link_pct"),
                        note="100 % is the hub link's limit; the goal is within 110 %"))
        rows.append(Row("{}: one Pi's boot time, median of the Pis".format(what), "s", "lower", 2,
                        {s: [r["boot_ms_median"] / 1000 for r in rs if "boot_ms_median" in r] for s, rs in shaped.items()}))
        rows.append(Row("{}: Pis that failed to boot".format(what), "Pis", "lower", 0, values(shaped, "failed_pis")))
        # What a lost datagram leaves behind: the tail of a storm is a resend's timeout.
        for key, label in (("qdisc_dropped", "datagrams the tc queues dropped"), ("pi_retransmits", "the Pis' TFTP resends"),
                           ("pi_raw_dropped", "frames the Pis' DHCP sockets dropped")):
            if all(key in r for rs in shaped.values() for r in rs):
                rows.append(Row("{}: {}".format(what, label), "count", "lower", 0, values(shaped, key)))
    if hubs:
        rows += memory_rows("Shaped storm", records, "storm")
    return rows


def table(rows):
    lines = ["| workload | unit | dnsmasq | bramble | bramble/dnsmasq | better | note |",
             "| --- | --- | ---: | ---: | ---: | --- | --- |"]
    for row in rows:
        ratio = row.ratio()
        note = "; ".join(x for x in (row.split_ratios() and "ratios " + row.split_ratios(), row.note) if x)
        lines.append("| {} | {} | {} | {} | {} | {} | {} |".format(
            row.label, row.unit, row.cell("dnsmasq"), row.cell("bramble"),
            "**{:.2f}**".format(ratio) if ratio is not None else "-", row.better, note))
    return "\n".join(lines) + "\n"


def compare(before_path, after_path):
    def load(path):
        with open(path) as source:
            return {row["row"]: row for row in map(json.loads, filter(str.strip, source))}
    before, after = load(before_path), load(after_path)
    show = lambda v: "-" if v is None else "{:,.2f}".format(v)
    print("| workload | unit | better | bramble before | bramble after | ratio before | ratio after |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: |")
    for name, row in after.items():
        if name not in before:
            continue
        old = before[name]
        print("| {} | {} | {} | {} | {} | {} | {} |".format(name, row["unit"], row["better"], show(old["bramble"]),
                                                        show(row["bramble"]), show(old["ratio"]), show(row["ratio"])))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--compare":
        compare(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("records")
    parser.add_argument("--markdown")
    parser.add_argument("--summary")
    parser.add_argument("--title", default="")
    arguments = parser.parse_args()
    records = []
    with open(arguments.records) as source:
        for number_, line in enumerate(source, 1):
            line = line.strip()
            if not line:
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as error:
                sys.exit("bench-report: {}:{}: not a JSON record ({})".format(arguments.records, number_, error))
    rows = build_rows(records)
    text = (arguments.title + "\n\n" if arguments.title else "") + table(rows)
    print(text)
    if arguments.markdown:
        with open(arguments.markdown, "w") as out:
            out.write(text)
    if arguments.summary:
        with open(arguments.summary, "w") as out:
            for row in rows:
                out.write(json.dumps(row.summary()) + "\n")


if __name__ == "__main__":
    main()
