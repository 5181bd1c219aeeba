"""Create the bucket privindex stores files in, if it is missing (``entrypoint.sh createbucket``).

Reads the same settings as the app (``AWS_*``) and waits up to ``--wait`` seconds for the
S3 service to answer. A bucket it creates gets a lifecycle rule aborting multipart uploads
left incomplete for a day (a worker killed in the middle of an upload leaves its parts
behind; services without lifecycle rules, like MinIO, clean them up on their own). An
existing bucket is left as it is. Idempotent: safe on every start.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privindex.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wait", type=float, default=60, help="seconds to wait for S3")
    args = parser.parse_args()

    import django

    django.setup()
    from botocore.exceptions import BotoCoreError, ClientError
    from django.conf import settings

    from projects.s3 import S3FileStore

    if settings.PRIVINDEX_STORAGE != "s3":
        print("PRIVINDEX_STORAGE is not s3: no bucket to create.")
        return 0
    store = S3FileStore.from_settings()
    client, bucket = store.client, store.bucket
    deadline = time.monotonic() + args.wait
    while True:
        try:
            client.head_bucket(Bucket=bucket)
            print(f"Bucket {bucket} exists.")
            return 0
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code not in ("404", "NoSuchBucket", "NotFound"):
                print(f"Bucket {bucket}: {code} ({exc})", file=sys.stderr)
                return 1
            break
        except BotoCoreError as exc:
            if time.monotonic() > deadline:
                print(f"S3 did not answer: {exc}", file=sys.stderr)
                return 1
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
    print(f"Created bucket {bucket}.")
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
        print(f"Lifecycle rule not set ({exc.response.get('Error', {}).get('Code')}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
