"""Create the bucket privindex stores files in, if it is missing (``manage.py createbucket``).

Reads the same settings as the app (``AWS_*``) and waits up to ``--wait`` seconds for the
S3 service to answer. A bucket it creates gets a lifecycle rule aborting multipart uploads
left incomplete for a day (a worker killed in the middle of an upload leaves its parts
behind; services without lifecycle rules, like MinIO, clean them up on their own). An
existing bucket is left as it is. Idempotent: safe on every start.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from storage.s3 import S3FileStore


class Command(BaseCommand):
    help = "Create the S3 bucket privindex stores files in, if it is missing."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--wait", type=float, default=60, help="seconds to wait for S3")

    def _say(self, message: str) -> None:
        self.stdout.write(message)

    def handle(self, *args: Any, **options: Any) -> None:
        wait = options["wait"]
        if settings.PRIVINDEX_STORAGE != "s3":
            self._say("PRIVINDEX_STORAGE is not s3: no bucket to create.")
            return
        store = S3FileStore.from_settings()
        client, bucket = store.client, store.bucket
        deadline = time.monotonic() + wait
        while True:
            try:
                client.head_bucket(Bucket=bucket)
                self._say(f"Bucket {bucket} exists.")
                return
            except ClientError as exc:
                code = str(exc.response.get("Error", {}).get("Code", ""))
                if code not in ("404", "NoSuchBucket", "NotFound"):
                    raise CommandError(f"Bucket {bucket}: {code} ({exc})") from exc
                break
            except BotoCoreError as exc:
                if time.monotonic() > deadline:
                    raise CommandError(f"S3 did not answer: {exc}") from exc
                time.sleep(1)
        region = client.meta.region_name
        extra = {}
        if region and region != "us-east-1":
            extra["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            client.create_bucket(Bucket=bucket, **extra)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "BucketAlreadyOwnedByYou":
                raise
        self._say(f"Created bucket {bucket}.")
        # Only on a bucket created here: a lifecycle configuration replaces any existing one.
        try:
            client.put_bucket_lifecycle_configuration(
                Bucket=bucket,
                LifecycleConfiguration={
                    "Rules": [
                        {
                            "ID": "privindex-abort-incomplete-uploads",
                            "Status": "Enabled",
                            "Filter": {"Prefix": store.prefix},
                            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                        }
                    ]
                },
            )
        except ClientError as exc:
            self._say(f"Lifecycle rule not set ({exc.response.get('Error', {}).get('Code')}).")
        return
