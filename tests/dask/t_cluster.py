"""arrdbg.dask on a real LocalCluster(processes=True, n_workers=2): the
pinned-view workload against Dask's own figures, its .copy() fix, identical
pins grouped, running tasks, buffers nobody holds, the final reports."""
import asyncio
import io
import json
import os

import numpy as np

import arrdbg.dask
from dtest import MB, by_address, check, cluster, line_of, main_in_tmpdir, schema_errors, wait_until

HERE = os.path.abspath(__file__)
CHUNK_MB = 40


def pinme(i, mb):
    big = np.random.default_rng(i).random(mb * MB // 8)  # @big
    return big[:10]  # @view


def pinme_copy(i, mb):
    big = np.random.default_rng(i).random(mb * MB // 8)
    return big[:10].copy()


def small_pin(i):
    base = np.ones(100_000 // 8)  # @small
    return base[:2]


_kept = []


def stash(i):
    _kept.append(np.zeros(3 * MB // 8))  # @stash
    return i


def fragment(i):
    """100 kB buffers (under malloc's mmap threshold) with a small survivor
    after each: freed, they stay inside malloc's heap."""
    big, small = [], []
    for _ in range(400):
        big.append(np.ones(100_000 // 8))
        small.append(np.ones(64))
    _kept.append(small)
    return len(big)


def wait_go(name):
    from distributed import Event
    held = np.ones(5 * MB // 8)  # @held
    Event(name).wait(60)
    return float(held[0])


async def async_report(address, out):
    from distributed import Client
    async with Client(address, asynchronous=True) as ac:
        await arrdbg.dask.enable(ac, directory=out)
        return await arrdbg.dask.report(ac, io.StringIO())


def figures(dask_worker):
    return {"rss": dask_worker.monitor.get_process_memory(), "managed": dask_worker.state.nbytes,
            "pid": os.getpid(), "name": str(dask_worker.name)}


def spread(client, fn, n, *args, **kw):
    """n tasks of fn, half on each worker, gathered; returns the futures."""
    addrs = sorted(client.scheduler_info()["workers"])
    futs = [client.submit(fn, i, *args, workers=[addrs[i % len(addrs)]], pure=False, **kw)
            for i in range(n)]
    client.gather(futs)
    return futs


def run(out):
    big_line, view_line = line_of(HERE, "big"), line_of(HERE, "view")
    with cluster() as (c, client):
        check(client.run(lambda: arrdbg.installed()) == {a: False for a in client.run(os.getpid)},
              "arrdbg is off on the workers before enable()")
        none = arrdbg.dask.report_data(client)
        check(all(w["arrdbg"] is False for w in none["workers"]),
              "report before enable: each worker says arrdbg is not installed")
        arrdbg.dask.enable(client, directory=out)
        arrdbg.dask.enable(client, directory=out)  # twice: the same plugin, replaced
        futs = spread(client, pinme, 6, CHUNK_MB)
        keys = {f.key for f in futs}
        data = arrdbg.dask.report_data(client)
        json.dumps(data)
        for rep in (none, data):
            errs = schema_errors(rep, "dask_cluster")
            check(not errs, f"report_data validates against report.schema.json's dask_cluster: {errs[:3]}")
        fig = client.run(figures)
        sched = client.run_on_scheduler(
            lambda dask_scheduler: {a: ws.nbytes for a, ws in dask_scheduler.workers.items()})
        check(len(data["workers"]) == 2, "one report per worker")
        for addr, w in by_address(data).items():
            f = fig[addr]
            pre = f"worker {w['name']}: "
            check(w["pid"] == f["pid"] and w["name"] == f["name"] and addr in sched,
                  pre + "name, address and pid are the worker's")
            check(w["memory"]["managed"] == f["managed"] == sched[addr],
                  pre + f"managed {w['memory']['managed']} = worker.state.nbytes = the scheduler's")
            check(abs(w["memory"]["process"] - f["rss"]) < 0.05 * f["rss"],
                  pre + f"process {w['memory']['process']} ~ the worker's RSS {f['rss']}")
            check(w["memory"]["unmanaged"] == w["memory"]["process"] - w["memory"]["managed_in_memory"],
                  pre + "unmanaged = process - managed in memory")
            pins = w["pins"]
            check(len(pins) == 1 and pins[0]["count"] == 3, pre + f"3 identical pins, one group: "
                  f"{[(g['count'], g['base_line'], g['view_line']) for g in pins]}")
            if not pins:
                continue
            g = pins[0]
            check(g["base_bytes"] == CHUNK_MB * MB and g["counted_bytes"] == 80,
                  pre + f"base {g['base_bytes']} bytes, Dask counts {g['counted_bytes']} (sizeof of the view)")
            check(g["base_line"] == big_line and g["view_line"] == view_line
                  and os.path.abspath(g["base_file"]) == HERE,
                  pre + f"lines: base {g['base_line']} (want {big_line}), view {g['view_line']} (want {view_line})")
            check(g["base_prefix"] == "pinme" and g["view_prefix"] == "pinme",
                  pre + f"task prefix of base and view: {g['base_prefix']}, {g['view_prefix']}")
            check(len(g["keys"]) == 3 and set(g["keys"]) <= keys and all(n == 80 for n in g["key_nbytes"]),
                  pre + f"the store keys, 80 bytes each in Dask's eyes: {g['keys']}")
            e, m = w["explained"], w["memory"]
            beyond = m["unmanaged"] - e["parts"]["start"]
            check(e["fraction"] >= 0.9, pre + f"{e['fraction']:.1%} of unmanaged memory explained")
            check(e["parts"]["pinned"] >= 0.9 * beyond,
                  pre + f"pins explain {e['parts']['pinned']} of the {beyond} bytes beyond the start")
            check(w["numpy"]["live_bytes"] >= 3 * CHUNK_MB * MB, pre + "NumPy live holds the 3 bases")
        adata = asyncio.run(async_report(c.scheduler_address, out))
        check(sorted(sum(([g["count"] for g in w["pins"]] for w in adata["workers"]), [])) == [3, 3],
              "an asynchronous client: await enable() and report(): the same pins")
        text = io.StringIO()
        arrdbg.dask.report(client, text)
        t = text.getvalue()
        check(f"3 x {CHUNK_MB}.0 MB base" in t and f"t_cluster.py:{view_line}" in t
              and "task pinme" in t and sum(k in t for k in keys) == 6,
              "the text names count, base size, view line, task prefix and keys")
        print(t)

        # The fix: .copy() of the rows.  The pinned results go first.
        client.cancel(futs)
        del futs
        futs = spread(client, pinme_copy, 6, CHUNK_MB)
        # The pinned keys are released asynchronously: wait for their bases to go.
        wait_until(lambda: all(w["numpy"]["live_bytes"] < MB
                               for w in arrdbg.dask.report_data(client)["workers"]), 20)
        data = arrdbg.dask.report_data(client)
        for w in data["workers"]:
            check(w["pins"] == [], f"worker {w['name']}: the .copy() fix: no pin")
            check(w["numpy"]["in_store_bytes"] == 3 * 80 and w["numpy"]["live_bytes"] < MB,
                  f"worker {w['name']}: the copies are counted by Dask and the chunks are gone "
                  f"({w['numpy']['live_bytes']} bytes live)")
        client.cancel(futs)
        del futs

        # 300 identical pins: one line with a count on each worker.
        futs = spread(client, small_pin, 300)
        data = arrdbg.dask.report_data(client)
        counts = [[g["count"] for g in w["pins"]] for w in data["workers"]]
        check(sorted(sum(counts, [])) == [150, 150], f"300 pins, one group per worker: {counts}")
        client.cancel(futs)
        del futs

        # Buffers nobody holds (a module global of the task's module).
        spread(client, stash, 2)  # returns small ints; the 3 MB arrays stay in _kept
        # A running task's buffer.
        from distributed import Event
        go = Event("arrdbg-go", client=client)
        fut = client.submit(wait_go, "arrdbg-go", pure=False)
        wait_until(lambda: any(w["running"]["bytes"] for w in arrdbg.dask.report_data(client)["workers"]),
                   10)
        data = arrdbg.dask.report_data(client)
        held_line, stash_line = line_of(HERE, "held"), line_of(HERE, "stash")
        run_rows = [r for w in data["workers"] for r in w["running"]["rows"]]
        check(any(r["line"] == held_line and r["key"] == fut.key and r["prefix"] == "wait_go"
                  and r["bytes"] == 5 * MB for r in run_rows),
              f"a running task's 5 MB buffer, with its key and line: {run_rows}")
        free_rows = [r for w in data["workers"] for r in w["unheld"]["rows"]]
        check(sum(r["bytes"] for r in free_rows if r["line"] == stash_line and r["prefix"] == "stash")
              == 2 * 3 * MB, f"buffers no task or key holds, by prefix and line: {free_rows}")
        go.set()
        fut.result()

        # Memory freed and kept by malloc (not given back to the system).
        before = {w["address"]: w["explained"]["parts"]["malloc"]
                  for w in arrdbg.dask.report_data(client)["workers"]}
        addr0 = sorted(before)[0]
        rss0 = client.run(figures, workers=[addr0])[addr0]["rss"]
        client.submit(fragment, 0, workers=[addr0], pure=False).result()
        rss1 = client.run(figures, workers=[addr0])[addr0]["rss"]
        w0 = by_address(arrdbg.dask.report_data(client))[addr0]
        grew = w0["explained"]["parts"]["malloc"] - before[addr0]
        check(grew >= 0.75 * 40 * MB and abs(grew - (rss1 - rss0)) <= 0.1 * (rss1 - rss0),
              f"40 MB freed inside malloc's heap: the malloc part grew by {grew}, as RSS "
              f"({rss1 - rss0})")

        # A worker closing with the client connected: its final report
        # arrives on the client, and lands in a file.
        futs2 = spread(client, pinme, 2, 1)
        addr = sorted(client.scheduler_info()["workers"])[0]
        client.retire_workers([addr], close_workers=True)
        wait_until(arrdbg.dask.final_reports, 10)
        finals = arrdbg.dask.final_reports()
        check(len(finals) == 1 and finals[0]["address"] == addr and finals[0]["final"],
              f"the closing worker's final report reached the client: {[f['address'] for f in finals]}")
        # As JSON (the event's trip through distributed turns lists into tuples)
        errs = schema_errors(json.loads(json.dumps(
            {"format": "arrdbg-dask-report", "version": 1, "workers": finals})), "dask_cluster")
        check(not errs, f"the final report (with its files) is a worker report of the schema: {errs[:3]}")
        del futs2
    files = sorted(os.listdir(out))
    check(len([f for f in files if f.endswith(".json")]) == 2 and
          len([f for f in files if f.endswith(".txt")]) == 2, f"each worker wrote its final report: {files}")
    for f in files:
        if f.endswith(".json"):
            with open(os.path.join(out, f)) as fh:
                d = json.load(fh)
            check(d["final"] and d["arrdbg"] and f"-{d['pid']}.json" in f,
                  f"{f}: a final report of pid {d['pid']}")


if __name__ == "__main__":
    main_in_tmpdir(run)
