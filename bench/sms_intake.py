"""Benchmark of inbound SMS through the real webhook under gunicorn (a script, not a test).

    python bench/sms_intake.py --requests 6000 --clients 16

1. Creates (if needed) the PostgreSQL database ``portal_smsbench``, migrates it and loads the
   demo data (``load_demo``), under ``portal.settings.production`` as a deployment would run.
2. Starts gunicorn on 127.0.0.1 (``gthread`` workers, so clients keep connections alive as a
   proxy in front of it would; ``--workers`` × ``--threads``, default 4 × 1).
3. Fires ``--requests`` inbound webhooks, signed with twilio's ``RequestValidator`` exactly as
   Twilio signs them, from ``--clients`` concurrent clients: a mix of new senders (a case each),
   senders texting again (threaded onto their case) and, deliberately, ``--retry-share`` of
   retries of a MessageSid already sent (Twilio's retries), some of them concurrent.
4. Prints throughput, p50/p95/p99 latency, the cases and messages created, and duplicates
   (messages per MessageSid > 1, cases beyond one per new sender) — which must be 0.

The load generator runs on the same 2-core machine as gunicorn and PostgreSQL, so the figures
are a floor, not a ceiling. The CPU time each part used (load generator, gunicorn, PostgreSQL)
is printed too, per text: that is what says where the time goes.

``--ceiling`` fires signed *delivery status callbacks* for texts we never sent instead
(``POST /channels/sms/twilio/status/``: signature, parse, one ``SELECT … FOR UPDATE`` that
finds nothing, 204). It is the cheapest signed Twilio webhook the application serves, so its
throughput is the most any webhook can reach on this machine with this server configuration.
"""

import argparse
import http.client
import os
import random
import secrets
import shutil
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

DB_NAME = "portal_smsbench"
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


def counts(env: dict) -> dict:
    code = (
        "import django,json;django.setup();"
        "from services.models import Case, Message;"
        "from django.db.models import Count;"
        "sms=Message.objects.filter(channel='sms', direction='in');"
        "print(json.dumps({'cases': Case.objects.filter(origin_channel='sms').count(),"
        "'messages': sms.count(),"
        "'dup_sids': sms.values('provider_id').annotate(n=Count('id')).filter(n__gt=1).count()}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    )
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


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
    port: int, work: list, clients: int, path: str = PATH
) -> tuple[list[float], dict[int, int], float]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    queue = list(enumerate(work))
    position = iter(range(len(queue)))

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, codes = [], {}
        while True:
            with lock:
                index = next(position, None)
            if index is None:
                break
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=16)
    # Measured on this 2-core machine: four single-threaded workers beat 2x4 threads by a
    # quarter (the work is CPU-bound Python; threads only queue for the GIL).
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--retry-share", type=float, default=0.05)
    parser.add_argument("--warmup", type=int, default=200)
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
    before = counts(env)
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
    try:
        wait_ready(args.port)
        warm, _ = build_work(args.warmup, 0, unused_numbers(args.warmup))
        fire(args.port, warm, args.clients)
        before = counts(env)
        if args.ceiling:
            work, new_senders, path = build_status_work(args.requests), set(), STATUS_PATH
        else:
            work, new_senders = build_work(
                args.requests, args.retry_share, unused_numbers(args.requests)
            )
            path = PATH
        retries = len(work) - len(set(work))
        clock = CpuClock(server.pid)
        cpu_before = clock.read()
        latencies, statuses, elapsed = fire(args.port, work, args.clients, path)
        cpu_after = clock.read()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    after = counts(env)
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    unique = len(set(work))
    new_messages = after["messages"] - before["messages"]
    new_cases = after["cases"] - before["cases"]
    what = "status callbacks (--ceiling)" if args.ceiling else "inbound SMS"
    print(
        f"machine: {os.cpu_count()} cores; gunicorn gthread {args.workers}x{args.threads}; "
        f"{args.clients} concurrent clients (on the same machine)"
    )
    print(f"requests: {len(work)} ({unique} distinct MessageSids, {retries} deliberate retries)")
    print(f"HTTP statuses: {dict(sorted(statuses.items()))}")
    print(f"throughput: {len(work) / elapsed:.0f} {what}/s over {elapsed:.1f} s")
    print(
        f"latency: p50 {pct(0.50):.1f} ms, p95 {pct(0.95):.1f} ms, p99 {pct(0.99):.1f} ms, "
        f"max {latencies[-1] * 1000:.1f} ms"
    )
    seconds, ended = CpuClock.used(cpu_before, cpu_after)
    per = ", ".join(f"{group} {t / len(work) * 1000:.2f} ms" for group, t in seconds.items())
    print(
        f"CPU per request: {per} (total {sum(seconds.values()):.1f} CPU-s in {elapsed:.1f} s "
        f"on {os.cpu_count()} cores"
        + (f"; {ended} processes ended during the run, their time not counted" if ended else "")
        + ")"
    )
    print(f"machine speed: a 5M-step Python loop took {speed:.2f} s (lower is faster)")
    if args.ceiling:
        expected = 204
        duplicates = 0
    else:
        expected = 200
        print(
            f"created: {new_cases} cases (new senders: {len(new_senders)}), {new_messages} messages"
        )
        duplicates = (new_messages - unique) + after["dup_sids"]
        print(f"duplicates (messages beyond one per MessageSid): {duplicates}")
        # Intake serialises per phone number (an advisory lock): exactly one case per new
        # sender, however their texts and retries interleave.
        print(f"cases minus new senders (must be 0): {new_cases - len(new_senders)}")
        duplicates += abs(new_cases - len(new_senders))
    return 0 if duplicates == 0 and statuses.get(expected) == len(work) else 1


if __name__ == "__main__":
    sys.exit(main())
