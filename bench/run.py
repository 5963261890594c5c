"""The national-scale benchmark: `make bench` (see docs/benchmarks.md).

One run:

1. drops and recreates the database named in DATABASE_URL (its name must end in
   ``_bench``), migrates it and loads a national-scale data set with COPY:
   30 cities, 150 alliances, 15,000 organisations, 20,000 memberships,
   30,000 users, role grants, contacts, councils and seats, and the three lists with the offers
   (30,000 entries and 6,000 responses: bench/cooperation.py);
2. starts gunicorn (2 workers, DEBUG off) on a free loopback port with
   ``bench.settings`` (the application's URLs plus a one-query "floor" view);
3. times the register page and the organisations API, anonymous and as a
   city official, and the cooperation API lists (technology needs, talent needs,
   offers, core products), against the floor, over HTTP with keep-alive
   (sequential requests, interleaved across the endpoints);
4. counts the SQL queries of each endpoint in-process, for the full list and
   for a filter down to a single unit, to show the count does not grow
   with the data;
5. prints a Markdown table and writes it to bench-results/latest.md (plus the
   EXPLAIN ANALYZE of each endpoint's slowest query to bench-results/explain.md);
6. after the server is stopped (issue 4's benchmark): publishes the shipped indicator
   framework, adds a city of 150 alliances (one with 300 active member units),
   takes a cycle over all 150 through the assessment services (self-assessments,
   expert assignments, reviews: five experts for that alliance, three for the
   others) to their decisions by assessments.services.assessment_decide, then
   builds, in-process as the Celery task does, the alliance's report (PDF) and the
   city comparison (PDF and Excel): the median of several runs, with the query
   count of one run; its table is printed and added to bench-results/latest.md.

7. (issue 3's benchmark, bench/governance.py): an assembly of 1,000 member units with one
   meeting and one open motion; gunicorn again (4 workers x 4 threads); 1,000 ballots cast
   over HTTP from 16 threads, with median and p95 latency, ballots per second and a check of
   the tally; then the meeting's minutes PDF, timed. Its table is added to latest.md.

8. (issue 12's benchmark, bench/matching.py): the matching of majors and industry for a city of 150
   alliances over five years, in-process; then (bench/metrics.py) every metric of the assessment's registry for
   the same 150 alliances; their tables are added to latest.md.

9. (issue 11's benchmark, bench/annual.py): the year's construction self-assessment report of step 6's alliance
   of 300 members, given 200 projects of the year; its table is added to latest.md.

gunicorn is always stopped (in a finally) before step 6, and again at the end of step 7.
"""

import argparse
import datetime
import http.client
import io
import os
import platform
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench-results"
sys.path.insert(0, str(BASE_DIR))

from bench import cooperation as cooperation_bench  # noqa: E402  (the path above finds the project)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/alliance_bench"
PASSWORD = "bench-pass-2025"
SEED = 20250601

N_ALLIANCES_PER_CITY = 5  # x 30 cities = 150 alliances
N_ORGANIZATIONS = 15_000
N_MEMBERSHIPS = 20_000
N_HISTORICAL = 1_000  # closed memberships of pairs that have an open one again
N_USERS = 30_000
N_CONTACTS = 6_000
LIST_AIM = 2.0  # issue 14: each list's median within 2x the floor's, measured in the same run

CITIES = [
    ("北京市", "Beijing", "北京市", "110100"), ("天津市", "Tianjin", "天津市", "120100"),
    ("石家庄市", "Shijiazhuang", "河北省", "130100"), ("太原市", "Taiyuan", "山西省", "140100"),
    ("沈阳市", "Shenyang", "辽宁省", "210100"), ("长春市", "Changchun", "吉林省", "220100"),
    ("哈尔滨市", "Harbin", "黑龙江省", "230100"), ("上海市", "Shanghai", "上海市", "310100"),
    ("南京市", "Nanjing", "江苏省", "320100"), ("苏州市", "Suzhou", "江苏省", "320500"),
    ("杭州市", "Hangzhou", "浙江省", "330100"), ("宁波市", "Ningbo", "浙江省", "330200"),
    ("合肥市", "Hefei", "安徽省", "340100"), ("福州市", "Fuzhou", "福建省", "350100"),
    ("厦门市", "Xiamen", "福建省", "350200"), ("南昌市", "Nanchang", "江西省", "360100"),
    ("济南市", "Jinan", "山东省", "370100"), ("青岛市", "Qingdao", "山东省", "370200"),
    ("淄博市", "Zibo", "山东省", "370300"), ("郑州市", "Zhengzhou", "河南省", "410100"),
    ("武汉市", "Wuhan", "湖北省", "420100"), ("长沙市", "Changsha", "湖南省", "430100"),
    ("广州市", "Guangzhou", "广东省", "440100"), ("深圳市", "Shenzhen", "广东省", "440300"),
    ("南宁市", "Nanning", "广西壮族自治区", "450100"), ("重庆市", "Chongqing", "重庆市", "500100"),
    ("成都市", "Chengdu", "四川省", "510100"), ("贵阳市", "Guiyang", "贵州省", "520100"),
    ("昆明市", "Kunming", "云南省", "530100"), ("西安市", "Xi'an", "陕西省", "610100"),
]
INDUSTRIES = [
    ("新材料", "New materials"), ("电子信息", "Electronic information"), ("高端装备", "High-end equipment"),
    ("智能制造", "Intelligent manufacturing"), ("医药健康", "Medicine and health"), ("精细化工", "Fine chemicals"),
    ("新能源汽车", "New-energy vehicles"), ("现代农业", "Modern agriculture"), ("数字经济", "Digital economy"),
    ("现代物流", "Modern logistics"),
]
ALLIANCE_STATUSES = [("established", 80), ("rectifying", 6), ("proposed", 5), ("under_review", 4),
                     ("revoked", 3), ("withdrawn", 2)]
ORGANIZATION_TYPES = [
    ("enterprise", 62), ("secondary_vocational", 8), ("higher_vocational", 6), ("vocational_undergraduate", 1),
    ("undergraduate", 3), ("research_institute", 6), ("industry_association", 4), ("government", 4), ("park", 2),
    ("financial_institution", 2), ("other", 2),
]
TYPE_SUFFIX = {
    "enterprise": "有限公司", "secondary_vocational": "职业中等专业学校", "higher_vocational": "职业技术学院",
    "vocational_undergraduate": "职业技术大学", "undergraduate": "大学", "research_institute": "研究院",
    "industry_association": "行业协会", "government": "局", "park": "开发区管理委员会",
    "financial_institution": "银行支行", "other": "服务中心",
}
SCHOOL_TYPES = ("secondary_vocational", "higher_vocational", "vocational_undergraduate", "undergraduate")
SIZES = [("large", 10), ("medium", 25), ("small", 40), ("micro", 25)]
MEMBERSHIP_STATUSES = [("active", 88), ("applied", 5), ("withdrawn", 3), ("rejected", 2), ("expelled", 2)]
SYLLABLES = "华鑫恒泰瑞康宏达丰盛源通利昌隆兴博远誉金信诚嘉德安瑞智创新科联东方中天海润明阳光宇星辰峰岳"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌宁"


def weighted(rng: random.Random, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


def apply_scale(scale: int) -> None:
    """`--scale N`: N times the alliances (N x 5 per city), units, memberships, users, contacts and cooperation
    entries, for the same 30 cities; N = 1 is the national data set, row for row."""
    global N_ALLIANCES_PER_CITY, N_ORGANIZATIONS, N_MEMBERSHIPS, N_HISTORICAL, N_USERS, N_CONTACTS
    N_ALLIANCES_PER_CITY *= scale
    N_ORGANIZATIONS *= scale
    N_MEMBERSHIPS *= scale
    N_HISTORICAL *= scale
    N_USERS *= scale
    N_CONTACTS *= scale
    for name in ("N_PRODUCTS", "N_TECHNOLOGY", "N_TALENT", "N_OFFERS", "N_RESPONSES"):
        setattr(cooperation_bench, name, getattr(cooperation_bench, name) * scale)


def _alliance_industries(rng: random.Random) -> list[tuple[str, str, str]]:
    """The industries of one city's alliances: distinct ones (the national set), then numbered rounds of them."""
    if N_ALLIANCES_PER_CITY <= len(INDUSTRIES):
        return [(industry, en, "") for industry, en in rng.sample(INDUSTRIES, N_ALLIANCES_PER_CITY)]
    return [(industry, en, str(k // len(INDUSTRIES) + 1))
            for k, (industry, en) in enumerate(INDUSTRIES * (N_ALLIANCES_PER_CITY // len(INDUSTRIES) + 1))
            ][:N_ALLIANCES_PER_CITY]


def log(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------------------------------------------------------
# 1. The database and the data set
# ---------------------------------------------------------------------------------------------------------------

def recreate_database(database_url: str) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(database_url)
    name = config["NAME"]
    if not name.endswith("_bench") and os.environ.get("BENCH_ALLOW_DROP") != "1":
        sys.exit(f"Refusing to drop database {name!r}: its name does not end in '_bench' (set BENCH_ALLOW_DROP=1).")
    params = {"dbname": "postgres", "user": config.get("USER") or None, "password": config.get("PASSWORD") or None,
              "host": config.get("HOST") or None, "port": config.get("PORT") or None}
    with psycopg.connect(autocommit=True, **{k: v for k, v in params.items() if v}) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


class Copier:
    """Rows as dicts keyed by attname; missing fields take the field's default. Loaded with COPY."""

    def __init__(self, cursor):
        self.cursor = cursor

    def __call__(self, model, rows) -> int:
        fields = model._meta.concrete_fields
        defaults = {}
        for field in fields:
            if field.has_default() and not callable(field.default):
                defaults[field.attname] = field.default
            elif not field.primary_key:
                defaults[field.attname] = field.get_default()
        columns = ", ".join(f'"{field.column}"' for field in fields)
        count = 0
        with self.cursor.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[f.attname] if f.attname in row else defaults[f.attname] for f in fields])
                count += 1
        return count


def uscc_for(number: int, type_: str, region: str) -> str:
    from members.uscc import ALPHABET, make_uscc

    prefix = "91" if type_ in ("enterprise", "financial_institution") else {
        "government": "11", "park": "11", "industry_association": "51"}.get(type_, "12")
    body = ""
    for _ in range(9):
        number, digit = divmod(number, 31)
        body = ALPHABET[digit] + body
    return make_uscc(prefix + region + body)


def build_dataset() -> dict:
    """Load the data set in one transaction; returns how many rows of each kind."""
    from django.contrib.auth.hashers import make_password
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from alliance.models import Alliance, AllianceStatusChange, City, IndustrialChain, Park
    from governance.models import Body, Seat
    from members.models import Contact, Membership, Organization, RoleGrant, User

    rng = random.Random(SEED)
    now = datetime.datetime.now(datetime.UTC)
    counts = {}

    with transaction.atomic(), connection.cursor() as cursor:
        load = Copier(cursor)

        # Cities, parks, industrial chains.
        counts["cities"] = load(City, ({"id": i + 1, "name": name, "name_en": en, "province": province}
                                       for i, (name, en, province, _region) in enumerate(CITIES)))
        load(Park, ({"id": i + 1, "city_id": i + 1, "name": f"{name[:-1]}高新技术产业开发区",
                     "name_en": f"{en} High-tech Zone"} for i, (name, en, _p, _r) in enumerate(CITIES)))
        chains = []
        for city_index in range(len(CITIES)):
            for industry, en in INDUSTRIES:
                chains.append({"id": len(chains) + 1, "city_id": city_index + 1, "name": f"{industry}产业链",
                               "name_en": f"{en} chain"})
        load(IndustrialChain, chains)

        # Organisations: ~500 per city, 62 % enterprises (only they have a size).
        organizations = []
        by_city_type: dict[tuple[int, str], list[int]] = {}
        for number in range(N_ORGANIZATIONS):
            city_index = number % len(CITIES)
            city_name, city_en, _province, region = CITIES[city_index]
            type_ = weighted(rng, ORGANIZATION_TYPES)
            words = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
            org_id = number + 1
            organizations.append({
                "id": org_id, "name": f"{city_name[:-1]}{words}{TYPE_SUFFIX[type_]}{number:05d}",
                "name_en": f"{city_en} {type_.replace('_', ' ')} {number:05d}",
                "uscc": uscc_for(number, type_, region), "type": type_,
                "size": weighted(rng, SIZES) if type_ == "enterprise" else "",
                "city_id": city_index + 1, "address": f"{city_name}{words}路{rng.randint(1, 999)}号",
                "created_at": now,
            })
            by_city_type.setdefault((city_index + 1, type_), []).append(org_id)
        counts["organizations"] = load(Organization, organizations)
        org_city = {o["id"]: o["city_id"] for o in organizations}

        # Alliances: 5 per city, mostly established, led by a school, an enterprise and a park of the city.
        alliances = []
        for city_index, (city_name, city_en, _p, _r) in enumerate(CITIES):
            city_id = city_index + 1
            schools = [o for t in SCHOOL_TYPES for o in by_city_type.get((city_id, t), [])]
            for k, (industry, en, number) in enumerate(_alliance_industries(rng)):
                alliances.append({
                    "id": len(alliances) + 1, "name": f"{city_name[:-1]}{industry}市域产教联合体{number}",
                    "name_en": f"{city_en} {en} Industry-Education Alliance {number}".rstrip(), "city_id": city_id,
                    "park_id": city_id if k == 0 else None,
                    "level": "provincial" if k < 2 else "municipal", "status": weighted(rng, ALLIANCE_STATUSES),
                    "entity_form": "理事会领导下的秘书处实体化运作",
                    "lead_school_id": rng.choice(schools) if schools else None,
                    "lead_enterprise_id": rng.choice(by_city_type.get((city_id, "enterprise"), [None])),
                    "lead_park_admin_id": rng.choice(by_city_type.get((city_id, "park"), [None])),
                    "founded_on": datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randint(0, 700)),
                    "created_at": now,
                })
        counts["alliances"] = load(Alliance, alliances)
        counts["alliances established"] = sum(a["status"] == "established" for a in alliances)
        through = Alliance.chains.through
        load(through, ({"id": a["id"], "alliance_id": a["id"],
                        "industrialchain_id": (a["city_id"] - 1) * len(INDUSTRIES) + 1 + a["id"] % len(INDUSTRIES)}
                       for a in alliances))
        load(AllianceStatusChange, ({"id": a["id"], "alliance_id": a["id"], "from_status": "",
                                     "to_status": a["status"], "reason": "基准数据", "changed_at": now}
                                    for a in alliances))

        # Memberships: distinct (alliance, organisation) pairs, mostly from the alliance's city; then closed
        # historical rows for some open pairs (at most one applied/active row per pair).
        orgs_of_city: dict[int, list[int]] = {}
        for org_id, city_id in org_city.items():
            orgs_of_city.setdefault(city_id, []).append(org_id)
        per_alliance = (N_MEMBERSHIPS - N_HISTORICAL) // len(alliances)
        extra = (N_MEMBERSHIPS - N_HISTORICAL) - per_alliance * len(alliances)
        memberships = []
        for a in alliances:
            wanted = per_alliance + (1 if a["id"] <= extra else 0)
            chosen: set[int] = set()
            local = orgs_of_city[a["city_id"]]
            while len(chosen) < wanted:
                chosen.add(rng.choice(local) if rng.random() < 0.95 else rng.randint(1, N_ORGANIZATIONS))
            rank = 0
            for org_id in chosen:
                status = weighted(rng, MEMBERSHIP_STATUSES)
                applied = a["founded_on"] + datetime.timedelta(days=rng.randint(0, 300))
                role = "member"
                if status == "active":
                    role = ("chair" if rank == 0 else "vice_chair" if rank < 3 else "standing_director" if rank < 7
                            else "director" if rank < 17 else "member")
                    rank += 1
                memberships.append({
                    "id": len(memberships) + 1, "alliance_id": a["id"], "organization_id": org_id, "role": role,
                    "status": status, "applied_on": applied,
                    "joined_on": applied + datetime.timedelta(days=14) if status in ("active", "withdrawn",
                                                                                     "expelled") else None,
                    "left_on": applied + datetime.timedelta(days=200) if status in ("withdrawn", "expelled") else None,
                    "created_at": now,
                })
        open_rows = [m for m in memberships if m["status"] in ("active", "applied")]
        for m in rng.sample(open_rows, N_HISTORICAL):
            earlier = m["applied_on"] - datetime.timedelta(days=400)
            status = rng.choice(["withdrawn", "rejected", "expelled"])
            memberships.append({
                "id": len(memberships) + 1, "alliance_id": m["alliance_id"], "organization_id": m["organization_id"],
                "role": "member", "status": status, "applied_on": earlier,
                "joined_on": None if status == "rejected" else earlier + datetime.timedelta(days=10),
                "left_on": None if status == "rejected" else earlier + datetime.timedelta(days=200),
                "decision_reason": "基准数据：历史记录", "created_at": now,
            })
        counts["memberships"] = load(Membership, memberships)
        counts["memberships active"] = sum(m["status"] == "active" for m in memberships)

        # Users: one password hash for all.
        password = make_password(PASSWORD)
        users = []
        for number in range(1, N_USERS + 1):
            if number <= len(CITIES):
                username = f"official-{number:02d}"
            elif number <= len(CITIES) + len(alliances):
                username = f"secretariat-{number - len(CITIES):03d}"
            else:
                username = f"user-{number:05d}"
            users.append({
                "id": number, "username": username, "password": password, "email": f"{username}@bench.invalid",
                "full_name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2))),
                "date_joined": now, "is_active": True, "language": "zh-hans",
            })
        counts["users"] = load(User, users)

        # Role grants: one official per city, one secretariat per alliance.
        grants = [{"id": i + 1, "user_id": i + 1, "role": "official", "city_id": i + 1, "granted_at": now}
                  for i in range(len(CITIES))]
        grants += [{"id": len(CITIES) + a["id"], "user_id": len(CITIES) + a["id"], "role": "secretariat",
                    "alliance_id": a["id"], "granted_at": now} for a in alliances]
        counts["role grants"] = load(RoleGrant, grants)

        # Contacts: one user for each of 6,000 organisations.
        first_free_user = len(CITIES) + len(alliances) + 1
        contact_orgs = rng.sample(range(1, N_ORGANIZATIONS + 1), N_CONTACTS)
        counts["contacts"] = load(Contact, ({"id": i + 1, "user_id": first_free_user + i, "organization_id": org_id,
                                             "title": "联络员", "is_primary": True}
                                            for i, org_id in enumerate(contact_orgs)))
        contact_user = {org_id: first_free_user + i for i, org_id in enumerate(contact_orgs)}

        # Councils and seats: the units with a governing role hold a seat, through their contact or a new user.
        bodies, seats = [], []
        next_user = first_free_user + N_CONTACTS
        governing: dict[int, list[dict]] = {}
        for m in memberships:
            if m["status"] == "active" and m["role"] != "member":
                governing.setdefault(m["alliance_id"], []).append(m)
        for a in alliances:
            bodies.append({"id": len(bodies) + 1, "alliance_id": a["id"], "kind": "council", "name": "理事会",
                           "quorum_fraction": "2/3"})
            council = len(bodies)
            bodies.append({"id": len(bodies) + 1, "alliance_id": a["id"], "kind": "secretariat", "name": "秘书处",
                           "quorum_fraction": "2/3"})
            for m in governing.get(a["id"], []):
                user_id = contact_user.get(m["organization_id"])
                if user_id is None:
                    user_id, next_user = next_user, next_user + 1
                seats.append({"id": len(seats) + 1, "body_id": council, "user_id": user_id,
                              "organization_id": m["organization_id"], "office": m["role"],
                              "term_start": m["joined_on"]})
        load(Body, bodies)
        counts["seats"] = load(Seat, seats)

        # The three lists and the offers (bench/cooperation.py).
        counts.update(cooperation_bench.load(load, rng, now, alliances=alliances, memberships=memberships,
                                             organizations=organizations, chains_per_city=len(INDUSTRIES)))

        for sql in connection.ops.sequence_reset_sql(
            no_style(), [City, Park, IndustrialChain, Organization, Alliance, through, AllianceStatusChange,
                         Membership, User, RoleGrant, Contact, Body, Seat, *cooperation_bench.models()]
        ):
            cursor.execute(sql)

    return counts


def table_counts() -> dict:
    """The size of the data set, read back (also when the database is reused)."""
    from alliance.models import Alliance, City
    from governance.models import Seat
    from members.models import Contact, Membership, Organization, RoleGrant, User

    return {
        "cities": City.objects.count(), "organizations": Organization.objects.count(),
        "alliances": Alliance.objects.count(),
        "alliances established": Alliance.objects.filter(status="established").count(),
        "memberships": Membership.objects.count(),
        "memberships active": Membership.objects.filter(status="active").count(),
        "users": User.objects.count(), "role grants": RoleGrant.objects.count(),
        "contacts": Contact.objects.count(), "seats": Seat.objects.count(),
        **cooperation_bench.table_counts(),
    }


def pick_subjects() -> dict:
    """The official of the city with the most memberships, and a credit code that official and anonymous both see."""
    from django.db.models import Count

    from alliance.models import Alliance
    from members.models import Membership, RoleGrant

    busiest = (Membership.objects.values("alliance__city_id").annotate(n=Count("id")).order_by("-n", "alliance__city_id")
               .first())
    grant = (RoleGrant.objects.filter(role="official", city_id=busiest["alliance__city_id"])
             .select_related("user", "city").order_by("id").first())
    sample = (Membership.objects.filter(status="active", alliance__status__in=Alliance.PUBLIC_STATUSES,
                                        alliance__city_id=grant.city_id)
              .select_related("organization").order_by("id").first())
    return {"official": grant.user.username, "official_city": grant.city.name,
            "narrow_uscc": sample.organization.uscc}


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# ---------------------------------------------------------------------------------------------------------------
# 2. gunicorn
# ---------------------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str) -> dict:
    env = dict(os.environ)
    env.pop("DJANGO_ENV", None)
    env.update({
        "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings", "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(BASE_DIR), env.get("PYTHONPATH")])),
    })
    return env


def start_gunicorn(database_url: str, port: int, log_file, *, workers: int = 2,
                   threads: int | None = 1) -> subprocess.Popen:
    """gthread workers of `threads` threads (keep-alive); threads=None: as deployed (config/gunicorn.py, the
    Dockerfile's command: sync workers, each taking a new connection only when it is free)."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn), "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--chdir", str(BASE_DIR),
        "--workers", str(workers), "--timeout", "60", "--log-level", "warning",
    ]
    if threads is None:
        command[1:1] = ["-c", str(BASE_DIR / "config" / "gunicorn.py")]
    else:
        command += ["--worker-class", "gthread", "--threads", str(threads), "--keep-alive", "300"]
    return subprocess.Popen(command, env=server_env(database_url), stdout=log_file, stderr=subprocess.STDOUT,
                            cwd=BASE_DIR)


def wait_until_up(process: subprocess.Popen, base: str, timeout: float = 60) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}")
        try:
            if requests.get(base + "/bench/floor/", timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


# ---------------------------------------------------------------------------------------------------------------
# 3. Latency over HTTP
# ---------------------------------------------------------------------------------------------------------------

def login_session(base: str, username: str):
    import requests

    session = requests.Session()
    page = session.get(base + "/accounts/login/", timeout=10)
    page.raise_for_status()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(base + "/accounts/login/", timeout=30, allow_redirects=False,
                            data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD})
    if response.status_code != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(f"login of {username} failed: HTTP {response.status_code}")
    return session


def token_session(base: str, username: str):
    import requests

    response = requests.post(base + "/api/v1/auth/token/", json={"username": username, "password": PASSWORD},
                             timeout=30)
    response.raise_for_status()
    session = requests.Session()
    session.headers["Authorization"] = f"Token {response.json()['token']}"
    return session


def headers_of(session) -> dict:
    """The headers a requests session would send, for http.client (lighter on the client's CPU)."""
    headers = {key: value for key, value in session.headers.items() if key == "Authorization"}
    if session.cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
    return headers


class Endpoint:
    """One keep-alive connection to one URL (reopened if the server closes it)."""

    def __init__(self, port: int, path: str, headers: dict):
        self.port, self.path, self.headers = port, path, headers
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.timings: list[float] = []
        self.spent = 0.0

    def reconnect(self) -> None:
        self.connection.close()
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def get(self) -> float:
        try:
            start = time.perf_counter()
            self.connection.request("GET", self.path, headers=self.headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server dropped the idle kept-alive connection: time the request again on a new one.
            self.reconnect()
            start = time.perf_counter()
            self.connection.request("GET", self.path, headers=self.headers)
            response = self.connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - start
        if response.status != 200:
            raise RuntimeError(f"{self.path}: HTTP {response.status}")
        if response.will_close:
            self.reconnect()
        return elapsed

    def close(self) -> None:
        self.connection.close()


def time_endpoints(endpoints: list[Endpoint], *, requests_count: int, warmup: int, budget: float,
                   batch: int = 10) -> None:
    """Sequential requests, interleaved in batches across the endpoints so that they all see the same machine
    (a background load that comes and goes then shifts every endpoint alike, not just one)."""
    for endpoint in endpoints:
        warm_until = time.monotonic() + min(budget, 10)
        for _ in range(warmup):
            endpoint.get()
            if time.monotonic() > warm_until:
                break
    while True:
        active = [e for e in endpoints if len(e.timings) < requests_count and e.spent < budget]
        if not active:
            return
        for endpoint in active:
            for _ in range(min(batch, requests_count - len(endpoint.timings))):
                elapsed = endpoint.get()
                endpoint.timings.append(elapsed * 1000)
                endpoint.spent += elapsed
                if endpoint.spent >= budget:
                    break


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


# ---------------------------------------------------------------------------------------------------------------
# 4. Queries per request, in-process
# ---------------------------------------------------------------------------------------------------------------

def capture(client, path: str, headers: dict):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kernel.versions import bump

    client.get(path, **headers)  # warm: first-request work is not what we count
    bump()  # and what an anonymous caller's page it kept (kernel/api/lists.py) is not what we count either
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **headers)
    if response.status_code != 200:
        raise RuntimeError(f"{path}: HTTP {response.status_code} in-process")
    return ctx.captured_queries


def explain(sql: str) -> str:
    from django.db import connection

    sql = re.sub(r"^DECLARE .*? CURSOR WITH(OUT)? HOLD FOR ", "", sql)  # ModelChoiceField iterates a named cursor
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


# ---------------------------------------------------------------------------------------------------------------
# 6. Assessment reports, in-process
# ---------------------------------------------------------------------------------------------------------------

# One city-scale set: a 31st city with 150 alliances (15 districts x 10 industries), assessed in one cycle.
ASSESSMENT_CITY = ("潍坊市", "Weifang", "山东省", "370700")
DISTRICTS = ["高新区", "奎文区", "潍城区", "寒亭区", "坊子区", "滨海区", "峡山区", "青州市", "诸城市", "寿光市",
             "安丘市", "高密市", "昌邑市", "临朐县", "昌乐县"]
N_CITY_ALLIANCES = len(DISTRICTS) * len(INDUSTRIES)  # 150
N_BIG_MEMBERS = 300  # active member units of the one alliance whose report is timed
N_CITY_ORGANIZATIONS = 330
N_EXPERTS = 15
BIG_EXPERTS = 5  # the one alliance: five experts (so the trimmed mean applies)
CITY_EXPERTS = 3  # every other alliance: three
CYCLE_TITLE = "2025年度市域产教联合体建设成效考核（基准）"
REPORT_RUNS = {"assessment_pdf": 5, "city_pdf": 3, "city_xlsx": 3}  # timed runs, after one counted first run
REPORT_BUDGET = 45.0  # seconds of timed runs at most per report (at least one run)
REPORT_AIMS = {"assessment_pdf": 2.0, "city_pdf": 5.0, "city_xlsx": 5.0}  # seconds (issue 14; issue 4 had 3 and 10)
COMMENT_PARTS = [
    "材料齐全，佐证充分", "理事会按章程召开会议，纪要和决议完整", "成员单位参与度较高，但部分企业仅挂名",
    "校企共建项目已落地，建议扩大覆盖面", "培训人次与计划相比仍有差距", "技术攻关项目有明确成果，已在企业应用",
    "平台数据更新不及时，部分院校未录入", "实践中心运行良好，对外开放程度有待提高", "产业学院建设进展明显",
    "毕业生本地就业比例较上年有所提升", "双师型教师培养基地已挂牌，制度有待完善", "建议细化年度工作计划并明确责任分工",
    "典型案例总结到位，具有推广价值", "与龙头企业合作深入，形成一定特色", "共享员工培训服务尚处于起步阶段",
    "专业设置与产业需求匹配度监测已常态化", "资金投入渠道较单一，需拓展政策和社会资源",
]


def _comment(rng: random.Random, parts: int) -> str:
    return "；".join(rng.sample(COMMENT_PARTS, parts)) + "。"


def _expert_scores(rng: random.Random, leaves, quality: float, bias: float, veto_fail: str | None) -> dict:
    """One expert's full score sheet: half points on 0..max around the alliance's quality; veto leaves 1 or 0."""
    scores = {}
    for leaf in leaves:
        if leaf.veto:
            scores[leaf.code] = "0" if leaf.code == veto_fail else "1"
            continue
        value = min(max(quality + bias + rng.gauss(0, 0.08), 0), 1) * float(leaf.max_score)
        scores[leaf.code] = f"{round(value * 2) / 2:.2f}"
    return scores


def build_assessments() -> dict:
    """The framework, the city of 150 alliances, the one alliance of 300 members, the cycle, reviews and decisions.

    Users, units, alliances, members and role grants are bulk-inserted; everything of the assessment itself goes
    through assessments.services, as the pages and the API do: the cycle (`cycle_open`, which computes each
    alliance's figures), each secretariat's self-assessment (`self_assessment_save`, `self_assessment_submit`),
    the experts (`experts_assign`, with the conflict check), their reviews (`review_save` with the no-conflict
    declaration, `review_submit`) and the decisions (`assessment_decide`), so scores, working and grades are real.
    """
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from alliance.models import Alliance, City
    from assessments import frameworks, services
    from assessments.demo import load_seed_framework
    from assessments.models import Assessment, Framework
    from members.models import Membership, Organization, RoleGrant, User

    rng = random.Random(SEED + 4)
    today = timezone.localdate()
    city_name, city_en, province, region = ASSESSMENT_CITY
    timings = {}
    with transaction.atomic():
        t0 = time.perf_counter()
        framework = Framework.objects.get(pk=load_seed_framework().pk)  # it publishes with an update()
        if framework.status != Framework.Status.PUBLISHED:
            raise RuntimeError("the shipped framework is not published")
        leaves = frameworks.leaves(framework)
        city = City.objects.create(name=city_name, name_en=city_en, province=province)

        password = make_password(PASSWORD)
        people = (["assessment-official"] + [f"assessment-secretariat-{n:03d}" for n in range(1, N_CITY_ALLIANCES + 1)]
                  + [f"expert-{n:02d}" for n in range(1, N_EXPERTS + 1)])
        User.objects.bulk_create([
            User(username=name, password=password, email=f"{name}@bench.invalid", language="zh-hans",
                 full_name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2))))
            for name in people
        ])
        users = {u.username: u for u in User.objects.filter(username__in=people)}
        official = users["assessment-official"]
        secretariats = [users[f"assessment-secretariat-{n:03d}"] for n in range(1, N_CITY_ALLIANCES + 1)]
        experts = [users[f"expert-{n:02d}"] for n in range(1, N_EXPERTS + 1)]

        organizations = []
        for number in range(N_CITY_ORGANIZATIONS):
            type_ = weighted(rng, ORGANIZATION_TYPES)
            words = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
            serial = N_ORGANIZATIONS + number
            organizations.append(Organization(
                name=f"{city_name[:-1]}{words}{TYPE_SUFFIX[type_]}{serial:05d}",
                name_en=f"{city_en} {type_.replace('_', ' ')} {serial:05d}", uscc=uscc_for(serial, type_, region),
                type=type_, size=weighted(rng, SIZES) if type_ == "enterprise" else "", city=city,
                address=f"{city_name}{words}路{rng.randint(1, 999)}号",
            ))
        organizations = Organization.objects.bulk_create(organizations)
        schools = [o for o in organizations if o.type in SCHOOL_TYPES]
        enterprises = [o for o in organizations if o.type == "enterprise"]
        alliances = Alliance.objects.bulk_create([
            Alliance(name=f"{city_name[:-1]}{district}{industry}市域产教联合体",
                     name_en=f"{city_en} {district} {en} Industry-Education Alliance", city=city,
                     level="municipal", status=Alliance.Status.ESTABLISHED, entity_form="理事会领导下的秘书处实体化运作",
                     lead_school=rng.choice(schools), lead_enterprise=rng.choice(enterprises),
                     founded_on=datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randint(0, 700)))
            for district in DISTRICTS for industry, en in INDUSTRIES
        ])
        big = alliances[0]
        Membership.objects.bulk_create([
            Membership(alliance=big, organization=org, status="active",
                       role=("chair" if rank == 0 else "vice_chair" if rank < 3 else "standing_director" if rank < 7
                             else "director" if rank < 17 else "member"),
                       applied_on=big.founded_on, joined_on=big.founded_on + datetime.timedelta(days=14))
            for rank, org in enumerate(rng.sample(organizations, N_BIG_MEMBERS))
        ])
        RoleGrant.objects.bulk_create(
            [RoleGrant(user=official, role="official", city=city)]
            + [RoleGrant(user=user, role="secretariat", alliance=alliance)
               for user, alliance in zip(secretariats, alliances, strict=True)]
            + [RoleGrant(user=expert, role="expert") for expert in experts]
        )
        timings["data"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        cycle = services.cycle_open(
            actor=official, framework=framework, city=city, title=CYCLE_TITLE,
            opens_on=today - datetime.timedelta(days=60), self_assessment_due=today + datetime.timedelta(days=30),
            review_due=today + datetime.timedelta(days=60), alliances=alliances,
        )
        timings["cycle_open"] = time.perf_counter() - t0

        # Self-assessments and reviews. The one alliance (the first): five experts who comment on every
        # indicator, graded "rectify" (its report then also lists rectification items). The others: three
        # experts with a few comments each; about 4 % fail a veto indicator.
        t0 = time.perf_counter()
        by_alliance = {a.alliance_id: a for a in Assessment.objects.filter(cycle=cycle)}
        veto_codes = [leaf.code for leaf in leaves if leaf.veto]
        for index, (alliance, secretariat) in enumerate(zip(alliances, secretariats, strict=True)):
            is_big = index == 0
            assessment = by_alliance[alliance.id]
            quality = 0.72 if is_big else min(max(rng.gauss(0.81, 0.085), 0.35), 0.99)
            veto_fail = rng.choice(veto_codes) if not is_big and rng.random() < 0.04 else None
            services.self_assessment_save(
                assessment=assessment, actor=secretariat,
                scores=_expert_scores(rng, leaves, quality + 0.06, 0, None),
                narratives={leaf.code: _comment(rng, 3 if is_big else 1) for leaf in leaves},
                # a bound leaf scored other than its figure gives says why (assessments/bindings.py)
                reasons={code: _comment(rng, 1) for code in assessment.figures.get("scores", {})},
            )
            services.self_assessment_submit(assessment=assessment, actor=secretariat)
            chosen = (experts[:BIG_EXPERTS] if is_big
                      else [experts[(index * CITY_EXPERTS + k) % N_EXPERTS] for k in range(CITY_EXPERTS)])
            reviews = services.experts_assign(assessment=assessment, actor=official, experts=chosen)
            for k, review in enumerate(reviews):
                commented = leaves if is_big else rng.sample(leaves, 5)
                services.review_save(
                    review=review, actor=review.expert, declared_no_conflict=True,
                    scores=_expert_scores(rng, leaves, quality, rng.gauss(0, 0.04), veto_fail if k < 2 else None),
                    comments={leaf.code: _comment(rng, rng.randint(1, 3) if is_big else 1) for leaf in commented},
                    comment="总体评价：" + _comment(rng, 5 if is_big else 2),
                )
                services.review_submit(review=review, actor=review.expert)
        timings["reviews"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        for assessment in Assessment.objects.filter(cycle=cycle).order_by("id"):
            services.assessment_decide(
                assessment=assessment, actor=official, note="经专家评审和综合评议，确定考核等级如上。",
                rectify_by=today + datetime.timedelta(days=90),
                rectification_items=["完善理事会议事规则并按章程召开会议", "补齐成员单位参与工作的佐证材料",
                                     "制定职业技能培训年度计划并报送完成情况"],
            )
        timings["decide"] = time.perf_counter() - t0

    return {**existing_assessments(), "timings": timings}


def existing_assessments() -> dict | None:
    """What the assessment set holds (also that of a previous run, with --reuse-db); None if there is none."""
    from django.db.models import Count

    from assessments import frameworks
    from assessments.models import Assessment, Cycle, Review
    from members.models import Membership

    cycle = Cycle.objects.filter(title=CYCLE_TITLE).select_related("city", "framework").first()
    if cycle is None:
        return None
    assessment = (Assessment.objects.filter(cycle=cycle).annotate(n=Count("reviews")).filter(n=BIG_EXPERTS)
                  .select_related("alliance").get())
    small = (Assessment.objects.filter(cycle=cycle).annotate(n=Count("reviews")).filter(n=CITY_EXPERTS)
             .order_by("id").values_list("id", flat=True).first())
    return {
        "cycle_id": cycle.id, "assessment_id": assessment.id, "small_assessment_id": small,
        "alliance": assessment.alliance.name, "alliance_id": assessment.alliance_id,
        "city": cycle.city.name, "leaves": len(frameworks.leaves(cycle.framework)),
        "grades": dict(Assessment.objects.filter(cycle=cycle).values_list("grade").annotate(n=Count("id")).order_by()),
        "big_grade": assessment.grade, "big_score": str(assessment.final_score),
        "big_members": Membership.objects.filter(alliance=assessment.alliance, status="active").count(),
        "big_reviews": assessment.reviews.filter(status=Review.Status.SUBMITTED).count(),
        "big_comments": sum(len(r.comments) for r in assessment.reviews.all()),
        "alliances": Assessment.objects.filter(cycle=cycle, status=Assessment.Status.DECIDED).count(),
        "reviews": Review.objects.filter(assessment__cycle=cycle, status=Review.Status.SUBMITTED).count(),
        "timings": None,
    }


def build_report_once(kind: str, pk: int):
    """One report built the way assessments.reports.tasks.build_report builds it, minus storing the file:
    load the subject, gather the data, render the file, digest the data. Returns (content, data s, render s)."""
    from django.utils import translation

    from assessments.models import Assessment, Cycle
    from assessments.reports import documents as reports

    start = time.perf_counter()
    with translation.override(reports.LANGUAGE):
        if kind == "assessment_pdf":
            subject = {"assessment": Assessment.objects.get(pk=pk)}
        else:
            subject = {"cycle": Cycle.objects.get(pk=pk)}
        data = reports.data_for(kind, **subject)
        reports.digest(data)
        gathered = time.perf_counter()
        content = reports.render(kind, data)
    return content, gathered - start, time.perf_counter() - gathered


def describe_file(kind: str, content: bytes, expected_rows: int) -> str:
    """Pages of a PDF (checked to hold the expected text), rows of the workbook's ranking (checked)."""
    if kind == "city_xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(content), read_only=True)
        rows = workbook.worksheets[0].max_row - 1
        if rows != expected_rows:
            raise RuntimeError(f"the workbook ranks {rows} alliances, not {expected_rows}")
        return f"{len(workbook.sheetnames)} sheets, {rows} rows"
    from pypdf import PdfReader

    if not content.startswith(b"%PDF"):
        raise RuntimeError(f"{kind}: not a PDF")
    reader = PdfReader(io.BytesIO(content))
    return f"{len(reader.pages)} pages"


def time_reports(subjects: dict, *, runs: dict, budget: float) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = [
        ("assessment_pdf", "Alliance report (PDF)", subjects["assessment_id"],
         f"{subjects['alliance']}: {subjects['big_members']} active members, {subjects['big_reviews']} experts, "
         f"{subjects['big_comments']} indicator comments"),
        ("city_pdf", "City comparison (PDF)", subjects["cycle_id"],
         f"{subjects['city']}: {subjects['alliances']} alliances decided"),
        ("city_xlsx", "City comparison (Excel)", subjects["cycle_id"],
         f"{subjects['city']}: {subjects['alliances']} alliances decided"),
    ]
    from kernel.pdf import warm_up

    # As a Celery worker process does when it starts (config/celery.py): WeasyPrint's and the font's set-up.
    started = time.perf_counter()
    warm_up()
    warmed = time.perf_counter() - started
    log(f"  PDF warm-up, as a worker process does when it starts: {warmed:.2f} s")
    rows = []
    for kind, label, pk, subject in plan:
        # The first run: its queries are counted (rendering runs none) and its time reported apart (it pays
        # for imports; WeasyPrint's font loading was paid by the warm-up above, as in a worker).
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            content, _data_s, _render_s = build_report_once(kind, pk)
        first = time.perf_counter() - start
        totals, datas, renders, cpus = [], [], [], []
        spent = 0.0
        while len(totals) < runs[kind] and (not totals or spent < budget):
            cpu = time.process_time()
            content, data_s, render_s = build_report_once(kind, pk)
            cpus.append(time.process_time() - cpu)
            totals.append(data_s + render_s)
            datas.append(data_s)
            renders.append(render_s)
            spent += data_s + render_s
        row = {
            "kind": kind, "label": label, "subject": subject, "runs": len(totals), "first": first,
            "median": statistics.median(totals), "min": min(totals), "max": max(totals),
            "data": statistics.median(datas), "render": statistics.median(renders), "cpu": statistics.median(cpus),
            "queries": len(ctx.captured_queries), "sql_ms": sum(float(q["time"]) for q in ctx.captured_queries) * 1000,
            "bytes": len(content), "file": describe_file(kind, content, subjects["alliances"]),
            "aim": REPORT_AIMS[kind], "warm_up": warmed,
        }
        row["met"] = row["median"] <= row["aim"]
        if kind == "assessment_pdf":
            # The same report of an alliance with three experts, a few comments and no members: the count must
            # not depend on the members, experts or comments.
            with CaptureQueriesContext(connection) as small:
                build_report_once(kind, subjects["small_assessment_id"])
            row["queries_small"] = len(small.captured_queries)
        rows.append(row)
        log(f"  {label}: {row['runs']} runs, median {row['median']:.2f} s, CPU {row['cpu']:.2f} s (first {first:.2f} s), "
            f"{row['queries']} queries, {row['file']}")
    return rows


DASHBOARD_RUNS = 9


def time_dashboard(runs: int = DASHBOARD_RUNS) -> list[str]:
    """The official's assessment dashboard (/assessments/dashboard/) of step 6's city, 150 alliances decided, timed
    in-process (django.test.Client, the floor view likewise, interleaved); issue 14 aims every list within 2x the
    floor. Markdown lines. (Its queries are counted by tests/test_query_counts.py, flat with alliances.)"""
    from django.test import Client

    from members.models import User

    client = Client()
    client.force_login(User.objects.get(username="assessment-official"),
                       backend="django.contrib.auth.backends.ModelBackend")
    paths = {"dashboard": "/assessments/dashboard/", "floor": "/bench/floor/"}
    for path in paths.values():
        if client.get(path).status_code != 200:  # warm, and check
            raise RuntimeError(f"{path}: not 200 in-process")
    size = len(client.get(paths["dashboard"]).content)
    times = {name: [] for name in paths}
    for _run in range(runs):
        for name, path in paths.items():
            started = time.perf_counter()
            client.get(path)
            times[name].append((time.perf_counter() - started) * 1000)
    dashboard, floor = statistics.median(times["dashboard"]), statistics.median(times["floor"])
    ratio = dashboard / floor
    return [
        "",
        "The official's assessment dashboard of the same city (150 alliances decided: the charts of all, the table "
        "a page of 50), "
        f"in-process, median of {runs} requests interleaved with the floor view's:",
        "",
        "| page | median ms | floor ms | × floor | aim | met | HTML |",
        "|---|---:|---:|---:|---|---|---:|",
        f"| /assessments/dashboard/ | {dashboard:.1f} | {floor:.1f} | {ratio:.1f}× | ≤ {LIST_AIM:.0f}× | "
        f"{'yes' if ratio <= LIST_AIM else '**no**'} | {size // 1024} KiB |",
    ]


def assessment_markdown(subjects: dict, rows: list[dict], note: str) -> list[str]:
    lines = [
        "## Assessment reports",
        "",
        note,
        "",
        "| Report | Subject | Runs | Median s | Min–max s | Data s | Render s | CPU s | First run s | Queries | SQL ms "
        "| File | Aim | Aim met |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['label']} | {r['subject']} | {r['runs']} | {r['median']:.2f} | {r['min']:.2f}–{r['max']:.2f} "
            f"| {r['data']:.2f} | {r['render']:.2f} | {r['cpu']:.2f} | {r['first']:.2f} | {r['queries']} | {r['sql_ms']:.0f} "
            f"| {r['file']}, {r['bytes'] / 1024:,.0f} KiB | ≤ {r['aim']:.0f} s | {'yes' if r['met'] else '**no**'} |"
        )
    lines += [
        "",
        "Built in-process the way the Celery task builds them (`assessments.reports.data_for`, `render`, `digest`; "
        "the file is not stored). Data: loading the subject and gathering what the document shows (SQL and "
        "Python); render: the HTML template and WeasyPrint, or openpyxl. Median, min–max, data and render are over "
        "the timed runs; CPU is the median CPU time of this process over a run (time.process_time: what a shared "
        "machine's load does not add to); the first run, whose queries are counted (CaptureQueriesContext), is "
        "timed apart.",
    ]
    if rows:
        lines += ["", f"Before the first run the process laid out a one-line PDF, as each Celery worker process does "
                  f"when it starts (`kernel.pdf.warm_up`): {rows[0]['warm_up']:.2f} s, which a worker's first report "
                  "no longer pays."]
    small = next((r["queries_small"] for r in rows if "queries_small" in r), None)
    if small is not None:
        lines += ["", f"Queries of the report of an alliance with three experts, a few comments and no members: {small} "
                  "(the count does not grow with members, experts or comments)."]
    return lines


# ---------------------------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------------------------

def machine() -> str:
    memory = ""
    try:
        kib = int(next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{os.cpu_count()} CPU cores{memory}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per endpoint first (default 20)")
    parser.add_argument("--budget", type=float, default=60,
                        help="seconds of timed requests at most per endpoint (default 60)")
    parser.add_argument("--reuse-db", action="store_true",
                        help="keep the database of the previous run instead of rebuilding it (for trying a fix)")
    parser.add_argument("--skip-assessments", action="store_true",
                        help="leave out step 6, the assessment reports (for trying a fix to the HTTP endpoints)")
    parser.add_argument("--skip-governance", action="store_true",
                        help="leave out step 7, the 1,000 ballots over HTTP and the minutes PDF")
    parser.add_argument("--skip-matching", action="store_true",
                        help="leave out step 8, the matching of a city of 150 alliances over five years")
    parser.add_argument("--only-governance", action="store_true",
                        help="run step 7 alone, on an empty migrated database (or the previous one with --reuse-db)")
    parser.add_argument("--scale", type=int, default=1,
                        help="N times the national data set (alliances, units, memberships, users, contacts, "
                             "cooperation entries) in the same 30 cities; 10 is issue 14's 1,500 alliances, "
                             "150,000 units, 300,000 users (default 1)")
    args = parser.parse_args()
    apply_scale(args.scale)

    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("DJANGO_ENV", None)
    os.environ.update({"DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1,testserver", "LOG_LEVEL": "WARNING",
                       "DJANGO_SETTINGS_MODULE": "bench.settings"})
    started = time.perf_counter()

    # 1. Build.
    if not args.reuse_db:
        log(f"Recreating {database_url.rsplit('/', 1)[-1]} ...")
        recreate_database(database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if args.only_governance:
        if not args.reuse_db:
            call_command("migrate", interactive=False, verbosity=0)
        return governance_only(database_url, started)
    if args.reuse_db:
        build_note = "Data set reused from the previous run (--reuse-db)"
    else:
        t0 = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        t_migrate = time.perf_counter() - t0
        t0 = time.perf_counter()
        build_dataset()
        t_load = time.perf_counter() - t0
        t0 = time.perf_counter()
        vacuum_analyze()
        t_analyze = time.perf_counter() - t0
        t_build = time.perf_counter() - started
        build_note = (f"Data set built in {t_build:.1f} s (migrate {t_migrate:.1f} s, load with COPY {t_load:.1f} s, "
                      f"VACUUM ANALYZE {t_analyze:.1f} s)")
    counts = table_counts()
    data = pick_subjects()
    log(f"{build_note}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    connection.close()

    # 4. Query counts, in-process (before the server, so the two never compete for the two cores).
    from django.test import Client
    from knox.models import AuthToken

    from kernel.versions import bump
    from members.models import Organization, User
    from members.selectors import memberships_for_user, organizations_for_user

    official = User.objects.get(username=data["official"])
    anonymous_client, official_client, token_client = Client(), Client(), Client()
    official_client.force_login(official, backend="django.contrib.auth.backends.ModelBackend")
    _instance, api_token = AuthToken.objects.create(official)
    token_header = {"HTTP_AUTHORIZATION": f"Token {api_token}"}
    narrow = data["narrow_uscc"]
    endpoints = [
        # (label, path, in-process client, headers, narrow path, rows in scope)
        ("floor (one query)", "/bench/floor/", anonymous_client, {}, None, Organization.objects.count()),
        ("register, anonymous", "/register/", anonymous_client, {}, f"/register/?q={narrow}",
         memberships_for_user(None).count()),
        (f"register, official ({data['official_city']})", "/register/", official_client, {},
         f"/register/?q={narrow}", memberships_for_user(official).count()),
        ("API organizations, anonymous", "/api/v1/organizations/", anonymous_client, {},
         f"/api/v1/organizations/?search={narrow}", organizations_for_user(None).count()),
        (f"API organizations, official ({data['official_city']})", "/api/v1/organizations/", token_client,
         token_header, f"/api/v1/organizations/?search={narrow}", organizations_for_user(official).count()),
    ]
    who = ["anonymous", "anonymous", "official-session", "anonymous", "official-token"]
    # The cooperation API lists (bench/cooperation.py), each aimed within 2x the floor.
    narrow_unit, narrow_title = cooperation_bench.narrow(official)
    # Issue 14: every list within 2x the floor (the register page included; the floor has no aim of its own).
    aims = {label: LIST_AIM for label, *_rest in endpoints}
    aims[endpoints[0][0]] = None
    for label, path, client, headers, narrow_path, rows, key in cooperation_bench.endpoints(
            official, anonymous_client, token_client, token_header, narrow_unit, narrow_title):
        endpoints.append((label, path, client, headers, narrow_path, rows))
        who.append(key)
        aims[label] = cooperation_bench.AIM if path.startswith("/api/") else None
    # An API list's page is kept under the data's version (kernel/api/lists.py): each is timed as polled (the kept
    # answer, after the first request) and computed afresh (Cache-Control: no-cache; a signed-in caller's count and
    # scope stay kept: kernel/counts.py, kernel/scope.py).
    for index in [i for i, key in enumerate(who)
                  if key in ("anonymous", "official-token") and endpoints[i][1].startswith("/api/")]:
        label, path, client, headers, narrow_path, rows = endpoints[index]
        endpoints.append((f"{label}, computed (no-cache)", path, client, {**headers, "HTTP_CACHE_CONTROL": "no-cache"},
                          narrow_path, rows))
        who.append(f"{who[index]}-fresh")
        aims[endpoints[-1][0]] = aims[label]
    bump()  # the data set was loaded without signals: nothing kept from an earlier run may answer
    query_rows, explains = [], []
    for label, path, client, headers, narrow_path, rows in endpoints:
        full = capture(client, path, headers)
        few = capture(client, narrow_path, headers) if narrow_path else full
        sql_ms = sum(float(q["time"]) for q in full) * 1000
        slowest = max(full, key=lambda q: float(q["time"]))
        plan = explain(slowest["sql"])
        explains.append((label, path, float(slowest["time"]) * 1000, slowest["sql"], plan))
        query_rows.append({"label": label, "rows": rows, "full": len(full), "few": len(few), "sql_ms": sql_ms,
                           "slowest_ms": float(slowest["time"]) * 1000, "jit": "\nJIT:" in plan})
    AuthToken.objects.filter(user=official).delete()
    connection.close()
    log(f"Counted queries in-process (narrow filter: credit code {narrow}).")

    # 2-3. Serve and time.
    RESULTS_DIR.mkdir(exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = RESULTS_DIR / "gunicorn.log"
    timings = {}
    with open(log_path, "w") as log_file:
        server = start_gunicorn(database_url, port, log_file)
        try:
            wait_until_up(server, base)
            log(f"gunicorn up on {base} (2 workers, DEBUG off, bench.settings).")
            import requests

            for _ in range(4):  # both workers: first request of each loads templates, opens its connection
                for path in ("/bench/floor/", "/register/", "/api/v1/organizations/", "/api/v1/technology-needs/"):
                    requests.get(base + path, timeout=30).raise_for_status()
            headers = {
                "anonymous": {},
                "anonymous-fresh": {"Cache-Control": "no-cache"},
                "official-session": headers_of(login_session(base, data["official"])),
                "official-token": headers_of(token_session(base, data["official"])),
            }
            headers["official-token-fresh"] = {**headers["official-token"], "Cache-Control": "no-cache"}
            load_before = os.getloadavg()[0]
            timed = [Endpoint(port, path, headers[key]) for (_label, path, *_rest), key in zip(endpoints, who,
                                                                                              strict=True)]
            try:
                time_endpoints(timed, requests_count=args.requests, warmup=args.warmup, budget=args.budget)
            finally:
                for endpoint in timed:
                    endpoint.close()
            load_after = os.getloadavg()[0]
            for (label, *_rest), endpoint in zip(endpoints, timed, strict=True):
                timings[label] = endpoint.timings
                log(f"  {label}: {len(endpoint.timings)} requests, median {statistics.median(endpoint.timings):.1f} ms")
        except BaseException:
            log(f"The server log is in {log_path}.")
            raise
        finally:
            stop_gunicorn(server)
    log("gunicorn stopped.")

    # 6. Assessment reports, in-process: build the assessment set (or reuse it), then time the three documents.
    assessment_lines = []
    if not args.skip_assessments:
        step_started = time.perf_counter()
        subjects = existing_assessments() if args.reuse_db else None
        if subjects is None:
            log("Building the assessment set (framework, 150 alliances, reviews, decisions through the service) ...")
            subjects = build_assessments()
            t0 = time.perf_counter()
            vacuum_analyze()
            subjects["timings"]["analyze"] = time.perf_counter() - t0
            t = subjects["timings"]
            built = (f"Assessment set built in {sum(t.values()):.1f} s (users, units, alliances, members and grants "
                     f"in bulk {t['data']:.1f} s; `cycle_open` {t['cycle_open']:.1f} s; {subjects['alliances']} "
                     f"self-assessments, expert assignments and {subjects['reviews']} reviews through the services "
                     f"{t['reviews']:.1f} s; {subjects['alliances']} × `assessment_decide` {t['decide']:.1f} s; "
                     f"VACUUM ANALYZE {t['analyze']:.1f} s)")
        else:
            built = "Assessment set reused from the previous run (--reuse-db)"
        grades = ", ".join(f"{subjects['grades'].get(g, 0)} {g}"
                           for g in ("excellent", "qualified", "rectify", "unqualified"))
        log(f"{built}: grades {grades}; the one alliance {subjects['big_score']} ({subjects['big_grade']}).")
        connection.close()
        report_load_before = os.getloadavg()[0]
        report_rows = time_reports(subjects, runs=REPORT_RUNS, budget=REPORT_BUDGET)
        report_load_after = os.getloadavg()[0]
        connection.close()
        note = (f"{built}. Framework: the shipped one (seed 000 §5.4; {subjects['leaves']} scored "
                f"indicators, veto ones included), published. Cycle of {subjects['city']}: {subjects['alliances']} alliances decided "
                f"({grades}), {subjects['reviews']} submitted reviews; the one alliance scored "
                f"{subjects['big_score']} ({subjects['big_grade']}). 1-minute load average "
                f"{report_load_before:.2f} before timing, {report_load_after:.2f} after. Step 6 took "
                f"{time.perf_counter() - step_started:.0f} s.")
        assessment_lines = assessment_markdown(subjects, report_rows, note)
        all_reports_met = all(r["met"] for r in report_rows)
        assessment_lines += ["", "Aim (issue 14): the alliance's report within 2 s, the city comparison within 5 s. "
                             f"Overall: {'met' if all_reports_met else '**not met**'}."]
        assessment_lines += time_dashboard()
        connection.close()

    # 7. Governance: 1,000 ballots over HTTP, then the minutes PDF.
    governance_lines = []
    if not args.skip_governance:
        from bench.governance import run_step

        governance_lines = run_step(database_url, RESULTS_DIR)

    # 8. Matching of majors and industry: a city of 150 alliances over five years.
    matching_lines = []
    if not args.skip_matching:
        from bench.matching import run_step as matching_step
        from bench.metrics import run as metrics_step

        log("Matching: a city of 150 alliances over five years ...")
        matching_lines = matching_step()
        matching_lines += ["", *metrics_step()]  # every metric of the registry, for the same 150 alliances

    # 9. The year's construction self-assessment report of step 6's alliance of 300 members, with 200 projects.
    annual_lines = []
    if not args.skip_assessments:
        from bench.annual import run as annual_step

        log("Annual report: the alliance of 300 members with 200 projects ...")
        annual_lines = annual_step(subjects["alliance_id"])

    # 5. Report.
    floor = statistics.median(timings[endpoints[0][0]])
    lines = [
        f"# Benchmark results — {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        "",
        f"Machine: {machine()}; PostgreSQL {pg_version}; 1-minute load average {load_before:.2f} before timing, "
        f"{load_after:.2f} after. "
        f"gunicorn: 2 gthread workers, DEBUG off; sequential keep-alive requests on loopback (http.client), "
        f"{args.warmup} warm-up + up to {args.requests} timed requests (at most {args.budget:.0f} s) per endpoint, "
        "interleaved in batches of 10.",
        "",
        f"{build_note}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + ".",
        "",
        "| Endpoint | Rows in scope | Requests | Median ms | Floor ms | × floor | Aim × floor | Met | p95 ms "
        "| Queries (full list) | Queries (one unit) | SQL ms in-process | Slowest query ms |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    all_met = True
    for (label, path, *_rest), q in zip(endpoints, query_rows, strict=True):
        values = timings[label]
        median = statistics.median(values)
        ratio = median / floor
        aim = aims[label]
        met = (aim is None or ratio <= aim) and q["full"] == q["few"]
        all_met &= met
        lines.append(
            f"| {label} `{path}` | {q['rows']:,} | {len(values)} | {median:.1f} | {floor:.1f} | {ratio:.2f}× "
            f"| {'—' if aim is None else f'≤ {aim:g}×'} | {'—' if aim is None else 'yes' if met else '**no**'} "
            f"| {p95(values):.1f} | {q['full']} | {q['few']} | {q['sql_ms']:.0f} "
            f"| {q['slowest_ms']:.0f}{' (JIT)' if q['jit'] else ''} |"
        )
    lines += [
        "",
        "Aim (issue 14): each list's median within the aim times the floor's median of the same run (2× for the "
        "register and every API list; the technology needs page has none), and the same number of queries for "
        f"the full list as for a filter down to one unit (credit code {narrow}; for the cooperation lists "
        f"`?organization={narrow_unit}`, and `?q={narrow_title}` on the page). Overall: {'met' if all_met else '**not met**'}.",
        "",
        "Rows in scope: what the user may see before pagination (memberships for the register, organisations for "
        "the API). SQL ms and the slowest query are from one in-process request (django.test.Client; Django "
        "records query times to the millisecond); \"(JIT)\" marks a query PostgreSQL JIT-compiles. The EXPLAIN "
        "ANALYZE of each endpoint's slowest query is in bench-results/explain.md.",
    ]
    if assessment_lines:
        lines += ["", *assessment_lines]
    if governance_lines:
        lines += ["", *governance_lines]
    if matching_lines:
        lines += ["", *matching_lines]
    if annual_lines:
        lines += ["", *annual_lines]
    lines += ["", f"Total run time: {time.perf_counter() - started:.0f} s."]
    report = "\n".join(lines) + "\n"
    print()
    print(report)
    (RESULTS_DIR / "latest.md").write_text(report)
    explain_lines = ["# EXPLAIN ANALYZE of each endpoint's slowest query", ""]
    for label, path, ms, sql, plan in explains:
        explain_lines += [f"## {label} `{path}` ({ms:.1f} ms in-process)", "", "```sql", sql, "```", "",
                          "```", plan, "```", ""]
    (RESULTS_DIR / "explain.md").write_text("\n".join(explain_lines))
    log(f"Written to {RESULTS_DIR / 'latest.md'} and {RESULTS_DIR / 'explain.md'}.")
    return 0


def governance_only(database_url: str, started: float) -> int:
    """`--only-governance`: step 7 by itself; its table goes to bench-results/governance.md."""
    from bench.governance import run_step

    RESULTS_DIR.mkdir(exist_ok=True)
    lines = [f"# Benchmark results — {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}", "",
             f"Machine: {machine()}.", "", *run_step(database_url, RESULTS_DIR), "",
             f"Total run time: {time.perf_counter() - started:.0f} s."]
    report = "\n".join(lines) + "\n"
    print()
    print(report)
    (RESULTS_DIR / "governance.md").write_text(report)
    log(f"Written to {RESULTS_DIR / 'governance.md'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
