#!/usr/bin/env python3
"""The data path against its anchors, in one sitting (issue 17; docs/benchmarks.md, "Data path
against node-datachannel"). Run by .ci/bench-data-path inside a network namespace of its own.

One random file of MIB MiB, ROUNDS rounds of each, one process per side as users run them:
  anchor    node-datachannel Node -> Node (datachannel-anchor/transfer.mjs), nothing verified
  bare      webrtc-java -> webrtc-java (io.swarmkeeper.bench.BareLink): PeerLink, no protocol
  sha224    `seed` -> `fetch --timings` of a SHA-224 id (a server, a plain HTTP origin, a seeder)
  mt256     the same for the mt256- id of the same bytes
  four      four `fetch` of the SHA-224 id at once from the same seeder
Prints one JSON line per run, then the summary: medians, ratios, CPU seconds per GiB.

  data_path.py JAR CLASSPATH ANCHOR_DIR MIB ROUNDS
"""
import functools
import http.server
import json
import os
import shutil
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time

GIB = 1024 ** 3
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_of(pid):
    """CPU seconds so far of a running process (user + system, all threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def wait_cpu(p):
    """Waits for a Popen'd child; returns (returncode, CPU seconds) from wait4."""
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, usage.ru_utime + usage.ru_stime


def threads_of(pid):
    """CPU seconds of each live thread of a process, by thread id: {tid: (name, seconds)}."""
    found = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return found
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                head, rest = f.read().rsplit(")", 1)
            fields = rest.split()
            found[tid] = (head.split("(", 1)[1], (int(fields[11]) + int(fields[12])) / TICKS)
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return found


class ThreadSampler:
    """Samples a process's threads every 50 ms until stopped; keeps each thread's last reading
    (a thread that ended keeps what it had), so the CPU of a process that exits is still known."""

    def __init__(self, pid):
        self.pid, self.last, self.running = pid, {}, True
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while self.running:
            self.last.update(threads_of(self.pid))
            time.sleep(0.05)

    def stop(self):
        self.running = False
        self.thread.join()
        return self.last


def by_name(before, after, top=12):
    """CPU seconds per thread name between two readings, largest first (digits folded: pool-3 -> pool-#)."""
    import re
    sums = {}
    for tid, (name, secs) in after.items():
        spent = secs - before.get(tid, (name, 0.0))[1]
        key = re.sub(r"\d+", "#", name)
        sums[key] = sums.get(key, 0.0) + spent
    return {k: round(v, 2) for k, v in sorted(sums.items(), key=lambda kv: -kv[1])[:top] if v > 0}


def start(cmd):
    """Starts cmd with its output read in the background (see finish)."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    p.read = {}

    def drain(name, stream):
        p.read[name] = stream.read()

    p.readers = [threading.Thread(target=drain, args=(n, st)) for n, st in (("out", p.stdout), ("err", p.stderr))]
    for t in p.readers:
        t.start()
    return p


def finish(p):
    """Waits for a process from start(); returns (exit code, stdout, stderr, CPU seconds from wait4)."""
    rc, cpu = wait_cpu(p)
    for t in p.readers:
        t.join()
    return rc, p.read["out"], p.read["err"], cpu


def anchor(anchor_dir, path):
    p = subprocess.run(["node", os.path.join(anchor_dir, "transfer.mjs"), path],
                       capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise SystemExit("anchor failed: " + p.stderr[-2000:])
    r = json.loads(p.stdout.strip().splitlines()[-1])
    return {"run": "anchor", "MBps": r["transferMBps"], "openMs": r["openS"] * 1000,
            "senderCpuS": r["senderCpuS"], "receiverCpuS": r["receiverCpuS"], "bytes": r["bytes"]}


def bare(classpath, path, size):
    java = ["java", "-cp", classpath, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "io.swarmkeeper.bench.BareLink"]
    send = subprocess.Popen(java + ["send", path], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    recv = subprocess.Popen(java + ["receive", str(size)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    result = {}

    def relay(src, dst, name):
        for line in src.stdout:
            try:
                m = json.loads(line)
            except ValueError:
                sys.stderr.write(f"{name}: {line}")  # native code may write to stdout too
                continue
            if "signal" in m:
                dst.stdin.write(line)
                dst.stdin.flush()
            else:
                result[name] = m
                if name == "receiver":
                    send.stdin.write('{"done":true}\n')
                    send.stdin.flush()

    threads = [threading.Thread(target=relay, args=(send, recv, "sender")),
               threading.Thread(target=relay, args=(recv, send, "receiver"))]
    for t in threads:
        t.start()
    rc_s, _ = wait_cpu(send)
    rc_r, _ = wait_cpu(recv)
    for t in threads:
        t.join()
    if rc_s or rc_r or "receiver" not in result:
        raise SystemExit(f"bare loop failed: sender {rc_s}, receiver {rc_r}")
    r = result["receiver"]
    return {"run": "bare", "MBps": r["received"] / r["transferS"] / 1e6, "openMs": r["openMs"],
            "senderCpuS": result["sender"]["cpuS"], "receiverCpuS": r["cpuS"], "bytes": r["received"]}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Origin(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def serve(directory):
    """A plain HTTP origin for the seeder, on loopback, in a thread of this process."""
    httpd = Origin(("127.0.0.1", 0), functools.partial(QuietHandler, directory=directory))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def await_line(stream, text, timeout=120):
    deadline = time.time() + timeout
    seen = []
    while time.time() < deadline:
        line = stream.readline()
        if not line:
            break
        seen.append(line)
        if text in line:
            return line
    raise SystemExit(f"never saw {text!r}: {''.join(seen)[-2000:]}")


def fetch_cmd(jar, url, rid, out):
    return ["java", "-jar", jar, "fetch", "--server", url, "--hash", rid, "--out", out, "--timings"]


def fetch_row(name, line, cpu, seeder_cpu):
    t = json.loads(line)["timings"]
    since = t["msSinceJvmStart"]
    return {"run": name, "MBps": t.get("transferMBps"), "openMs": t.get("linkSetupMs", {}).get("channel-open"),
            "wholeS": since["done"] / 1000, "fetchCpuS": cpu, "seederCpuS": seeder_cpu,
            "bytes": json.loads(line)["bytes"], "source": json.loads(line)["source"], "timings": t}


def main():
    jar, classpath, anchor_dir, mib, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    work = tempfile.mkdtemp(prefix="swarmkeeper-datapath-")
    procs = []
    rows = []

    def emit(row):
        rows.append(row)
        print(json.dumps(row, default=str), flush=True)

    try:
        site = os.path.join(work, "site")
        os.makedirs(site)
        big = os.path.join(site, "big.bin")
        with open(big, "wb") as f:
            for _ in range(mib):
                f.write(os.urandom(1024 * 1024))
        shutil.copy(big, os.path.join(site, "big.mt"))
        size = mib * 1024 * 1024
        load = os.getloadavg()[0]
        print(json.dumps({"mib": mib, "rounds": rounds, "loadBefore": load, "cores": os.cpu_count()}), flush=True)

        for _ in range(rounds):
            emit(anchor(anchor_dir, big))
        for _ in range(rounds):
            emit(bare(classpath, big, size))

        # DATA_PATH_BASELINE_JAR: the same runs with an older build, in the same sitting (before
        # and after a change); DATA_PATH_BASELINE_FIRST=1 runs it first, to see the order's effect.
        baseline = os.environ.get("DATA_PATH_BASELINE_JAR")
        builds = [(jar, "")] + ([(baseline, "before-")] if baseline else [])
        if os.environ.get("DATA_PATH_BASELINE_FIRST") == "1":
            builds.reverse()
        for build, prefix in builds:
            swarmkeeper(build, prefix, site, big, size, rounds, work, procs, emit)
        print(json.dumps({"loadAfter": os.getloadavg()[0]}), flush=True)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)

    summary(rows, size)


def swarmkeeper(jar, prefix, site, big, size, rounds, work, procs, emit):
    """A server, a seeder fed by a plain HTTP origin, then fetches: ROUNDS per id, and four at once."""
    def hash_of(path, algorithm):
        p = subprocess.run(["java", "-jar", jar, "hash", "--algorithm", algorithm, path], capture_output=True, text=True)
        return json.loads(p.stdout)["id"]

    sha = hash_of(big, "sha224")
    mt = hash_of(os.path.join(site, "big.mt"), "mt256")
    origin = serve(site)
    base = f"http://127.0.0.1:{origin.server_address[1]}"
    with open(os.path.join(site, "manifest.json"), "w") as f:
        json.dump({"resources": [{"url": base + "/big.bin", "hash": sha}, {"url": base + "/big.mt", "hash": mt}]}, f)
    server = subprocess.Popen(["java", "-jar", jar, "server", "--host", "127.0.0.1", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    procs.append(server)
    url = await_line(server.stdout, "ws://127.0.0.1:").split("ws://", 1)[1].split()[0]
    url = "ws://" + url
    seeder = subprocess.Popen(["java", "-jar", jar, "seed", "--server", url, "--store", os.path.join(work, prefix + "store"),
                               "--manifest", base + "/manifest.json", "--allow-private-origins",
                               "--upload-slots", "8"],  # four fetches, two ranges in flight each
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    procs.append(seeder)
    await_line(seeder.stdout, "seeding", timeout=300)
    time.sleep(2)

    out = os.path.join(work, "out.bin")
    # One fetch of each id before the counted rounds: the seeder's first serving pays its JIT and
    # its first link. Then the ids take turns, so that neither always runs first.
    for rid in (sha, mt):
        rc, _, stderr, _ = finish(start(fetch_cmd(jar, url, rid, out)))
        if rc != 0:
            raise SystemExit(f"warm-up fetch failed ({rc}): {stderr[-1000:]}")
        os.remove(out)
    for r in range(rounds):
        for name, rid in (("sha224", sha), ("mt256", mt)):
            before = cpu_of(seeder.pid)
            seeder_threads = threads_of(seeder.pid)
            p = start(fetch_cmd(jar, url, rid, out))
            sampler = ThreadSampler(p.pid)
            rc, stdout, stderr, cpu = finish(p)
            fetch_threads = sampler.stop()
            if r == rounds - 1:
                # Where each process spent its CPU, by thread (Java and native), in the last round.
                emit({"run": prefix + name + "-threads", "seeder": by_name(seeder_threads, threads_of(seeder.pid)),
                      "fetch": by_name({}, fetch_threads)})
            if rc != 0:
                raise SystemExit(f"fetch {name} failed ({rc}): {stderr[-1000:]}")
            emit(fetch_row(prefix + name, stdout.strip().splitlines()[-1], cpu, cpu_of(seeder.pid) - before))
            os.remove(out)

    # Four leechers at once from the one seeder.
    before = cpu_of(seeder.pid)
    started = time.time()
    four = [start(fetch_cmd(jar, url, sha, os.path.join(work, f"four{i}.bin"))) for i in range(4)]
    ended = [finish(p) for p in four]
    lines = [out for _, out, _, _ in ended]
    outputs = [(out, err) for _, out, err, _ in ended]
    results = [(rc, cpu) for rc, _, _, cpu in ended]
    wall = time.time() - started
    seeder_cpu = cpu_of(seeder.pid) - before
    if any(rc for rc, _ in results):
        raise SystemExit("a fetch of the four failed: " + " | ".join(e.strip()[-500:] for _, e in outputs if e.strip()))
    firsts, lasts = [], []
    for line in lines:
        since = json.loads(line.strip().splitlines()[-1])["timings"]["msSinceJvmStart"]
        firsts.append(since["firstAnswer"])
        lasts.append(since["lastByte"])
    # Each fetch counts from its own JVM's start; all four started within a few ms of each other.
    span = (max(lasts) - min(firsts)) / 1000
    for i in range(4):
        os.remove(os.path.join(work, f"four{i}.bin"))
    emit({"run": prefix + "four", "MBps": 4 * size / span / 1e6, "wholeS": wall, "seederCpuS": seeder_cpu,
          "fetchCpuS": sum(c for _, c in results), "bytes": 4 * size})
    for p in (seeder, server):
        procs.remove(p)
        p.terminate()
        p.wait(timeout=10)
    origin.shutdown()


def summary(rows, size):
    def med(run, key):
        values = [r[key] for r in rows if r["run"] == run and r.get(key) is not None]
        return statistics.median(values) if values else None

    per_gib = GIB / size
    a, b = med("anchor", "MBps"), med("bare", "MBps")
    print()
    print("medians; MB/s = 10^6 bytes/s over the transfer (first byte or answer to last byte); open: from the process's")
    print("start to the open channel (anchor, bare), from the want to the open channel (fetch); CPU: whole processes")
    print(f"{'run':14} {'MB/s':>6} {'x anchor':>9} {'x bare':>7} {'open ms':>8} {'sender CPU s/GiB':>17} "
          f"{'receiver CPU s/GiB':>19} {'whole s':>8}")
    for run in ("anchor", "bare", "sha224", "mt256", "before-sha224", "before-mt256"):
        m = med(run, "MBps")
        if m is None:
            continue
        fetch = run not in ("anchor", "bare")
        sender = med(run, "seederCpuS" if fetch else "senderCpuS")
        receiver = med(run, "fetchCpuS" if fetch else "receiverCpuS")
        whole = med(run, "wholeS")
        print(f"{run:14} {m:6.1f} {m / a:9.2f} {m / b:7.2f} {med(run, 'openMs') or 0:8.1f} {sender * per_gib:17.1f} "
              f"{receiver * per_gib:19.1f} {whole if whole else 0:8.2f}")
    for run in ("four", "before-four"):
        for f in (r for r in rows if r["run"] == run):
            print(f"{run}: four fetches at once, {f['MBps']:.1f} MB/s together; "
                  f"seeder CPU {f['seederCpuS'] * per_gib / 4:.1f} s/GiB served")


if __name__ == "__main__":
    main()
