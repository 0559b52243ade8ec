"""Benchmark of inbound SMS, accept first and file after, under gunicorn (a script, not a test).

    python bench/sms_intake.py --requests 6000 --clients 16 --burst 10000

1. Creates (if needed) the PostgreSQL database (``--database``, default ``portal_smsbench``),
   migrates it and loads the demo data (``load_demo``), under ``portal.settings.production``
   as a deployment would run, with outbound texts going to the ``console`` backend (nothing
   leaves the machine; "sent" means the dispatcher handed it to the backend).
2. Starts gunicorn on 127.0.0.1 (``--workers`` sync-style ``gthread`` workers, default 3 × 1).
3. **Acceptance**: fires ``--requests`` inbound webhooks, signed with twilio's
   ``RequestValidator`` exactly as Twilio signs them, from ``--clients`` concurrent clients,
   with no filing worker running: a mix of new senders, senders texting again and
   ``--retry-share`` of retries of a MessageSid already sent. Prints throughput,
   p50/p95/p99, CPU per request, and checks one inbox row per MessageSid.
4. **Filing**: starts ``--filers`` ``manage.py file_texts`` processes and one ``db_worker``
   (which sends the replies) and times how long they take to file that backlog: texts filed
   per second by N workers.
5. **Acceptance to reply**, with the workers running: ``--steady`` texts at ``--steady-rate``
   per second; for each, the time from the webhook's acceptance (``sms_inbox.received_at``) to
   its reply leaving the outbox (``services_message.sent_at``): p50/p95.
6. **Burst**: ``--burst`` texts (default 10,000) as fast as the clients can send them, workers
   running; then how long until every one is filed and answered, with duplicates (messages
   beyond one per MessageSid, replies beyond one per text) and losses (a text without its
   message or its reply), both of which must be 0.

The load generator runs on the same 2-core machine as gunicorn, the workers and PostgreSQL,
so the figures are a floor, not a ceiling; the load average is printed with each phase.

``--ceiling`` fires signed *delivery status callbacks* instead (the cheapest signed webhook)
and stops after the acceptance phase.
"""

import argparse
import http.client
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
# bench/queue.py would shadow the standard library's queue module: leave bench/ off the path.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

DB_NAME = os.environ.get("SMS_BENCH_DATABASE", "portal_smsbench")
ACCOUNT_SID = "AC" + "b" * 32
AUTH_TOKEN = "bench-twilio-auth-token"  # noqa: S105 - a throwaway token for this run only
PUBLIC_BASE_URL = "https://portal.bench.test"
PATH = "/channels/sms/twilio/"
STATUS_PATH = "/channels/sms/twilio/status/"
COUNCIL_NUMBER = "+447400000001"


def environment(port: int) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        DATABASE_URL=f"postgres://portal:portal@127.0.0.1:5432/{DB_NAME}",
        SECRET_KEY="bench-" + "x1y2z3" * 10,
        ALLOWED_HOSTS="127.0.0.1",
        PUBLIC_BASE_URL=PUBLIC_BASE_URL,
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_SMS_FROM=COUNCIL_NUMBER,
        PORTAL_STAFF_MFA_REQUIRED="false",
        # The console backend: nothing leaves the machine, and its provider ids are unique across
        # processes (locmem numbers them per process, which collides with two task workers).
        SMS_BACKEND="services.outbound.backends.console.ConsoleBackend",
        PORTAL_SMS_SPOOL_DIR=str(ROOT / "var" / f"sms-spool-{DB_NAME}"),
        LOG_LEVEL="WARNING",
    )
    return env


def prepare(env: dict) -> None:
    import psycopg

    with psycopg.connect(
        "postgresql://portal:portal@127.0.0.1:5432/postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "createcachetable"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def sign(payload: dict, path: str = PATH) -> str:
    from twilio.request_validator import RequestValidator

    return RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE_URL + path, payload)


def payload(sender: str, body: str, sid: str) -> dict:
    return {
        "ToCountry": "GB",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": body,
        "FromCountry": "GB",
        "To": COUNCIL_NUMBER,
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }


def unused_numbers(n: int) -> int:
    """A base b such that no resident has a number in +4474[b, b + n): senders new to the DB.

    Earlier runs leave residents behind; a sender who already exists would thread onto their
    old case instead of opening one, and the run would measure something else.
    """
    import psycopg

    rng = random.SystemRandom()
    with psycopg.connect(f"postgresql://portal:portal@127.0.0.1:5432/{DB_NAME}") as conn:
        for _ in range(100):
            base = rng.randrange(0, 100_000_000 - n)
            low, high = f"+4474{base:08d}", f"+4474{base + n - 1:08d}"
            taken = conn.execute(
                "SELECT 1 FROM services_resident WHERE phone BETWEEN %s AND %s LIMIT 1",
                [low, high],
            ).fetchone()
            if not taken:
                return base
    raise SystemExit("Could not find an unused range of numbers: recreate the bench database.")


def build_work(n: int, retry_share: float, base: int) -> tuple[list[tuple[str, str]], set[str]]:
    """(encoded body, signature) per request; and the senders texting for the first time."""
    rng = random.Random(42)
    work, sent, senders = [], [], []
    new_senders: set[str] = set()
    for index in range(n):
        roll = rng.random()
        if sent and roll < retry_share:
            work.append(rng.choice(sent))  # Twilio retrying a delivery
            continue
        if senders and roll < retry_share + 0.25:
            sender = rng.choice(senders)  # someone texting again about their case
        else:
            sender = f"+4474{base + index:08d}"  # a valid UK mobile range, unused so far
            senders.append(sender)
            new_senders.add(sender)
        sid = "SM" + secrets.token_hex(16)
        data = payload(sender, f"Bench text {index}: the streetlight on my road is out", sid)
        item = (urlencode(data), sign(data))
        sent.append(item)
        work.append(item)
    return work, new_senders


def build_status_work(n: int) -> list[tuple[str, str]]:
    """Signed delivery callbacks for MessageSids we never sent (``--ceiling``)."""
    work = []
    for _ in range(n):
        sid = "SM" + secrets.token_hex(16)
        data = {
            "SmsSid": sid,
            "SmsStatus": "delivered",
            "MessageStatus": "delivered",
            "To": "+447400123456",
            "MessageSid": sid,
            "AccountSid": ACCOUNT_SID,
            "From": COUNCIL_NUMBER,
            "ApiVersion": "2010-04-01",
        }
        work.append((urlencode(data), sign(data, STATUS_PATH)))
    return work


class CpuClock:
    """CPU seconds used by the load generator, the gunicorn processes and PostgreSQL.

    Counted per process. PostgreSQL is looked for afresh at each reading: a gunicorn worker
    reconnects when its connection reaches ``CONN_MAX_AGE``, and the new backend's time counts
    in full. A process that ended in between takes its time with it, and is reported.
    """

    def __init__(self, server_pid: int):
        import psutil

        self.psutil = psutil
        self.server = psutil.Process(server_pid)
        self.me = psutil.Process()

    def _groups(self) -> dict:
        psutil = self.psutil
        return {
            "load generator": [self.me],
            "gunicorn": [self.server, *self.server.children(recursive=True)],
            "PostgreSQL": [
                p
                for p in psutil.process_iter(["name"])
                if (p.info["name"] or "").startswith("postgres")
            ],
        }

    def read(self) -> dict[str, dict[int, float]]:
        readings = {}
        for group, processes in self._groups().items():
            readings[group] = {}
            for process in processes:
                try:
                    times = process.cpu_times()
                except self.psutil.Error:
                    continue
                readings[group][process.pid] = times.user + times.system
        return readings

    @staticmethod
    def used(before: dict, after: dict) -> tuple[dict[str, float], int]:
        """CPU seconds per group between two readings, and how many processes ended."""
        seconds, ended = {}, 0
        for group, end in after.items():
            start = before.get(group, {})
            seconds[group] = sum(t - start.get(pid, 0.0) for pid, t in end.items())
            ended += sum(1 for pid in start if pid not in end)
        return seconds, ended


def calibrate() -> float:
    """Seconds for a fixed pure-Python loop: how fast this machine's CPU is right now.

    Shared machines change speed from hour to hour; this makes runs comparable.
    """
    started = time.process_time()
    total = 0
    for number in range(5_000_000):
        total += number
    return time.process_time() - started


def fire(
    port: int, work: list, clients: int, path: str = PATH, rate: float = 0.0
) -> tuple[list[float], dict[int, int], float]:
    """Send ``work`` from ``clients`` keep-alive connections; ``rate`` > 0 paces the sends
    (request i not before i / rate seconds after the start) instead of sending flat out."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    queue = list(enumerate(work))
    position = iter(range(len(queue)))
    begun = time.perf_counter()

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, codes = [], {}
        while True:
            with lock:
                index = next(position, None)
            if index is None:
                break
            if rate:
                delay = begun + index / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            body, signature = work[index]
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
                "X-Forwarded-Proto": "https",
                "Host": "127.0.0.1",
            }
            start = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.perf_counter() - start)
            codes[status] = codes.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for code, count in codes.items():
                statuses[code] = statuses.get(code, 0) + count

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, time.perf_counter() - started


def wait_ready(port: int, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def query(sql: str, params=()) -> list[tuple]:
    import psycopg

    with psycopg.connect(f"postgresql://portal:portal@127.0.0.1:5432/{DB_NAME}") as conn:
        return conn.execute(sql, params).fetchall()


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def sids_of(work: list) -> list[str]:
    from urllib.parse import parse_qs

    return sorted({parse_qs(body)["MessageSid"][0] for body, _ in work})


def start_workers(env: dict, filers: int) -> list[subprocess.Popen]:
    """``filers`` filing workers, a task worker for the outbound queue only (the replies must
    not wait behind search indexing) and one for every queue. Their logs go to var/."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    log = open(ROOT / "var" / f"sms-bench-workers-{DB_NAME}.log", "ab")  # noqa: SIM115
    quiet = {"env": env, "cwd": ROOT, "stdout": subprocess.DEVNULL, "stderr": log}
    processes = [
        subprocess.Popen([*manage, "file_texts", "--poll", "1"], **quiet) for _ in range(filers)
    ]
    for queue in ("outbound", "*"):
        processes.append(
            subprocess.Popen(
                [*manage, "db_worker", "--queue-name", queue, "--no-reload", "--interval", "0.2"],
                **quiet,
            )
        )
    return processes


def filing_rate(sids: list[str]) -> tuple[int, float]:
    """(rows filed, rows filed per second between the first and the last filing)."""
    count, first, last = query(
        "SELECT count(*), min(filed_at), max(filed_at) FROM sms_inbox "
        "WHERE key = ANY(%s) AND state = 'filed'",
        [sids],
    )[0]
    span = (last - first).total_seconds() if count > 1 else 0.0
    return count, (count / span if span else float("nan"))


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def pending() -> int:
    return query("SELECT count(*) FROM sms_inbox WHERE state = 'pending'")[0][0]


def answered(sids: list[str]) -> tuple[int, int, int, int]:
    """(texts filed, texts with a message, messages, replies sent) for these MessageSids."""
    filed, with_message, messages = query(
        "SELECT (SELECT count(*) FROM sms_inbox WHERE key = ANY(%s) AND state = 'filed'),"
        " count(DISTINCT provider_id), count(*) FROM services_message "
        "WHERE channel = 'sms' AND direction = 'in' AND provider_id = ANY(%s)",
        [sids, sids],
    )[0]
    sent = query(
        "SELECT count(*) FROM services_message WHERE channel = 'sms' AND direction = 'out' "
        "AND metadata->>'reply_to' = ANY(%s) AND sent_at IS NOT NULL",
        [sids],
    )[0][0]
    return filed, with_message, messages, sent


def wait_drained(sids: list[str], timeout: float) -> float:
    """Seconds until every text of ``sids`` is filed and its reply sent (or the timeout)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        filed, _, _, sent = answered(sids)
        if filed == len(sids) and sent >= len(sids):
            break
        time.sleep(0.25)
    return time.perf_counter() - started


def reply_delays(sids: list[str]) -> list[float]:
    rows = query(
        "SELECT extract(epoch FROM m.sent_at - i.received_at) FROM sms_inbox i "
        "JOIN services_message m ON m.channel = 'sms' AND m.direction = 'out' "
        "AND m.metadata->>'reply_to' = i.key WHERE i.key = ANY(%s) AND m.sent_at IS NOT NULL",
        [sids],
    )
    return sorted(float(row[0]) for row in rows)


def duplicates_and_losses(sids: list[str]) -> tuple[int, int]:
    filed, with_message, messages, _ = answered(sids)
    replies = query(
        "SELECT count(*), count(DISTINCT metadata->>'reply_to') FROM services_message "
        "WHERE channel = 'sms' AND direction = 'out' AND metadata->>'reply_to' = ANY(%s)",
        [sids],
    )[0]
    duplicates = (messages - with_message) + (replies[0] - replies[1])
    losses = (len(sids) - with_message) + (len(sids) - replies[1])
    return duplicates, losses


def percentile(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument("--retry-share", type=float, default=0.05)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--filers", type=int, default=2, help="file_texts processes")
    parser.add_argument("--steady", type=int, default=600, help="texts in the reply-time phase")
    parser.add_argument("--steady-rate", type=float, default=30.0, help="texts/s in that phase")
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--drain-timeout", type=float, default=900)
    parser.add_argument("--skip-prepare", action="store_true")
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="fire signed status callbacks instead: the cheapest webhook, for comparison",
    )
    args = parser.parse_args()

    env = environment(args.port)
    speed = calibrate()
    if not args.skip_prepare:
        print("Preparing database", DB_NAME, "(migrate, load_demo) …", flush=True)
        prepare(env)
    leftover = pending()
    if leftover:  # an earlier run stopped half-way: file that first, so phases measure theirs
        print(f"Filing {leftover} texts left pending by an earlier run …", flush=True)
        workers = start_workers(env, args.filers)
        while pending():
            time.sleep(1)
        stop(workers)
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    server = subprocess.Popen(
        [
            gunicorn,
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--worker-class",
            "gthread",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    workers: list[subprocess.Popen] = []
    failed = False
    print(
        f"machine: {os.cpu_count()} cores; gunicorn gthread {args.workers}x{args.threads}; "
        f"{args.clients} concurrent clients (on the same machine); {load()}"
    )
    print(f"machine speed: a 5M-step Python loop took {speed:.2f} s (lower is faster)")
    try:
        wait_ready(args.port)
        warm, _ = build_work(args.warmup, 0, unused_numbers(args.warmup))
        fire(args.port, warm, args.clients)

        # --- 1. acceptance, nothing filing ------------------------------------------------
        if args.ceiling:
            work, path = build_status_work(args.requests), STATUS_PATH
        else:
            work, _ = build_work(args.requests, args.retry_share, unused_numbers(args.requests))
            path = PATH
        retries = len(work) - len(set(work))
        clock = CpuClock(server.pid)
        cpu_before = clock.read()
        latencies, statuses, elapsed = fire(args.port, work, args.clients, path)
        cpu_after = clock.read()
        latencies.sort()
        expected = 204 if args.ceiling else 200
        failed |= statuses.get(expected) != len(work)
        what = "status callbacks (--ceiling)" if args.ceiling else "inbound texts accepted"
        print(f"\n[acceptance] {load()}")
        print(f"requests: {len(work)} ({len(set(work))} distinct, {retries} deliberate retries)")
        print(f"HTTP statuses: {dict(sorted(statuses.items()))}")
        print(f"throughput: {len(work) / elapsed:.0f} {what}/s over {elapsed:.1f} s")
        print(
            f"latency: p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
            f"p95 {percentile(latencies, 0.95) * 1000:.1f} ms, "
            f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms"
        )
        seconds, ended = CpuClock.used(cpu_before, cpu_after)
        per = ", ".join(f"{group} {t / len(work) * 1000:.2f} ms" for group, t in seconds.items())
        print(f"CPU per request: {per}" + (f" ({ended} processes ended)" if ended else ""))
        if args.ceiling:
            return 1 if failed else 0
        accepted = sids_of(work) + sids_of(warm)
        rows = query("SELECT count(*) FROM sms_inbox WHERE key = ANY(%s)", [accepted])[0][0]
        print(f"inbox rows for these MessageSids: {rows} (must be {len(accepted)})")
        failed |= rows != len(accepted)

        # --- 2. filing the backlog ------------------------------------------------------------
        backlog = pending()
        started = time.perf_counter()
        workers = start_workers(env, args.filers)
        while pending() and time.perf_counter() - started < args.drain_timeout:
            time.sleep(0.25)
        filed_in = time.perf_counter() - started
        replies_in = wait_drained(accepted, args.drain_timeout) + filed_in
        print(f"\n[filing] {load()}")
        count, rate = filing_rate(accepted)
        print(
            f"{backlog} texts waiting; {args.filers} file_texts workers filed {count} at "
            f"{rate:.0f} texts/s (first to last filing); all filed {filed_in:.1f} s after the "
            f"workers were started (start-up included), every reply sent after {replies_in:.1f} s"
        )

        # --- 3. acceptance to reply, workers running -----------------------------------------
        steady, _ = build_work(args.steady, 0, unused_numbers(args.steady))
        fire(args.port, steady, 4, rate=args.steady_rate)
        steady_sids = sids_of(steady)
        wait_drained(steady_sids, args.drain_timeout)
        delays = reply_delays(steady_sids)
        print(f"\n[acceptance to reply] {load()}")
        print(
            f"{len(steady)} texts at {args.steady_rate:.0f}/s with the workers running: "
            f"accepted to reply sent p50 {percentile(delays, 0.5):.2f} s, "
            f"p95 {percentile(delays, 0.95):.2f} s, max {delays[-1] if delays else 0:.2f} s "
            f"({len(delays)} replies)"
        )
        failed |= len(delays) != len(steady_sids)

        # --- 4. the burst ---------------------------------------------------------------------
        if args.burst:
            burst, _ = build_work(args.burst, 0, unused_numbers(args.burst))
            latencies, statuses, elapsed = fire(args.port, burst, args.clients)
            latencies.sort()
            burst_sids = sids_of(burst)
            drained = wait_drained(burst_sids, args.drain_timeout)
            duplicates, losses = duplicates_and_losses(burst_sids)
            print(f"\n[burst] {load()}")
            print(
                f"{len(burst)} texts sent in {elapsed:.1f} s ({len(burst) / elapsed:.0f}/s, "
                f"HTTP {dict(sorted(statuses.items()))}, p99 "
                f"{percentile(latencies, 0.99) * 1000:.0f} ms) with the workers running; "
                f"every one filed and answered {drained:.1f} s after the last was accepted "
                f"({elapsed + drained:.1f} s from the first)"
            )
            print(f"duplicates: {duplicates}, losses: {losses} (both must be 0)")
            failed |= bool(duplicates or losses) or statuses.get(200) != len(burst)
    finally:
        stop(workers)
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
