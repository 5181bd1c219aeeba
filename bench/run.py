"""Benchmarks for DESIGN 8: simple pages and downloads at scale. Prints figures; asserts nothing.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/privindex make bench
    .venv/bin/python bench/run.py --projects 100000 --files 1000000 --big-project-files 5000

Creates a throwaway database ``<name>_bench``, fills it with bulk inserts, and times requests
through the full Django stack (middleware, token authentication, access policy, rendering)
with the test client, so the figures are server-side costs without network.
"""

import argparse
import hashlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privindex.settings")


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=1_000_000, help="files spread over projects")
    parser.add_argument("--big-project-files", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE each page's last query"
    )
    return parser.parse_args()


def timed(fn, repeat):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def main():
    args = parse_args()
    import django
    from django.conf import settings
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()
    import logging

    from django.db import connection

    logging.getLogger("django.request").setLevel(logging.ERROR)
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    settings.ALLOWED_HOSTS = ["*"]
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def fill(args):
    from accounts.models import User
    from projects.models import File, Project, ProjectRole, Release
    from tokens.services import token_issue

    t0 = time.perf_counter()
    owner = User.objects.create(username="bench-owner")
    batch = 10_000
    for start in range(0, args.projects, batch):
        Project.objects.bulk_create(
            Project(
                name=f"Bench-Project-{i}",
                normalized_name=f"bench-project-{i}",
                visibility="public" if i % 2 else "private",
            )
            for i in range(start, min(start + batch, args.projects))
        )
    big = Project.objects.create(name="big", normalized_name="big", visibility="private")
    ProjectRole.objects.create(project=big, user=owner, role="owner")
    projects = list(Project.objects.values_list("id", flat=True)[: max(1, args.files // 10)])
    releases = Release.objects.bulk_create(
        Release(project_id=pid, version="1.0", canonical_version="1") for pid in projects
    )
    big_releases = Release.objects.bulk_create(
        Release(project=big, version=f"{n}.0", canonical_version=str(n))
        for n in range(max(1, args.big_project_files // 5))
    )

    def file_rows(release_ids, count, prefix):
        for i in range(count):
            name = f"{prefix}_{i}-1.0-py3-none-any.whl"
            digest = hashlib.sha256(name.encode()).hexdigest()
            yield File(
                release_id=release_ids[i % len(release_ids)],
                filename=name,
                packagetype="bdist_wheel",
                python_version="py3",
                size=1000,
                sha256=digest,
                blake2_256=hashlib.blake2b(name.encode(), digest_size=32).hexdigest(),
                md5=digest[:32],
                storage_state="stored",
            )

    ids = [r.id for r in releases]
    rows = file_rows(ids, args.files, "f")
    while True:
        chunk = [row for _, row in zip(range(batch), rows, strict=False)]
        if not chunk:
            break
        File.objects.bulk_create(chunk)
    File.objects.bulk_create(file_rows([r.id for r in big_releases], args.big_project_files, "big"))
    token = token_issue(user=owner, scopes=["read"], actor=None).secret
    from django.db import connection

    with connection.cursor() as cursor:  # as autovacuum would, before the planner is trusted
        cursor.execute("ANALYZE")
    print(
        f"filled {args.projects} projects, {args.files} + {args.big_project_files} files "
        f"in {time.perf_counter() - t0:.1f}s"
    )
    return token


def explain(sql, params):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + sql, params)
        print("    " + "\n    ".join(row[0] for row in cursor.fetchall()[:8]))


def run(args):
    from django.db import connection
    from django.test import Client

    token = fill(args)
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    json_accept = {"HTTP_ACCEPT": "application/vnd.pypi.simple.v1+json"}
    cases = [
        ("root index, anonymous, HTML", "/simple/", {}),
        ("root index, token, JSON", "/simple/", {**auth, **json_accept}),
        (f"project page with {args.big_project_files} files, HTML", "/simple/big/", auth),
        (
            f"project page with {args.big_project_files} files, JSON",
            "/simple/big/",
            {**auth, **json_accept},
        ),
        ("small project page, anonymous", "/simple/bench-project-1/", {}),
        ("unknown project, anonymous (404)", "/simple/no-such-thing/", {}),
    ]
    print(f"{'case':55} {'median ms':>10} {'max ms':>10} {'queries':>8} {'bytes':>10}")
    for label, url, headers in cases:
        client.get(url, **headers)  # warm up
        counter: list[tuple[str, object]] = []

        def count(execute, sql, params, many, context, counter=counter):
            counter.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url, **headers)
        median, worst = timed(
            lambda url=url, headers=headers: client.get(url, **headers), args.repeat
        )
        if args.explain:
            explain(*counter[-1])
        print(
            f"{label:55} {median:10.1f} {worst:10.1f} {len(counter):8d} {len(response.content):10d}"
        )


if __name__ == "__main__":
    main()
