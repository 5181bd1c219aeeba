"""``manage.py upstreamcache``: what is cached from the upstreams, and purging it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Sum
from packaging.utils import canonicalize_name

from upstream import services
from upstream.models import CachedFile, CachedPage, Upstream


class Command(BaseCommand):
    help = (
        "Show what is cached from each upstream (pages, files, bytes), or purge the pages and "
        "files of some projects (--purge NAME ...) or of everything (--purge-all). The next "
        "request fetches a purged page or file again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--purge", nargs="+", metavar="NAME", help="projects to forget")
        parser.add_argument("--purge-all", action="store_true", help="forget every page and file")

    def handle(self, *args: Any, **options: Any) -> None:
        names = options["purge"]
        if names and options["purge_all"]:
            raise CommandError("Give --purge NAME ... or --purge-all, not both.")
        if names or options["purge_all"]:
            pages = CachedPage.objects.all()
            if names:
                pages = pages.filter(name__in=[canonicalize_name(n) for n in names])
            removed_pages, removed_files = services.cache_purge_pages(pages, actor=None)
            self.stdout.write(f"Purged {removed_pages} page(s) and {removed_files} file(s).")
            return
        for upstream in Upstream.objects.order_by("priority", "pk"):
            pages = CachedPage.objects.filter(upstream=upstream).aggregate(n=Count("pk"))["n"]
            files = CachedFile.objects.filter(upstream=upstream).aggregate(
                n=Count("pk"), size=Sum("size")
            )
            state = "enabled" if upstream.enabled else "disabled"
            self.stdout.write(
                f"{upstream.name} ({upstream.url}, {state}): {pages} page(s), "
                f"{files['n']} file(s), {files['size'] or 0} bytes"
            )
