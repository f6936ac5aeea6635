"""Article texts in S3, so every claim span can be shown in context later (texts can exceed
DynamoDB's 400 KB item limit; S3 has no such limit and costs less per GB)."""

from __future__ import annotations

from functools import cached_property

from botocore.exceptions import ClientError

from claimwatch.store import aws


class ArticleTextStore:
    def __init__(self, bucket: str, s3=None):
        self.bucket = bucket
        if s3 is not None:
            self.s3 = s3

    @cached_property
    def s3(self):
        """Created on first use: building an S3 client costs 35 ms, and the alert function reads a
        text only when an alert quotes its article."""
        return aws.client("s3")

    @staticmethod
    def key(article_id: str) -> str:
        return f"articles/{article_id}.txt"

    def put(self, article_id: str, text: str) -> None:
        self.s3.put_object(
            Bucket=self.bucket,
            Key=self.key(article_id),
            Body=text.encode("utf-8"),
            ContentType="text/plain; charset=utf-8",
        )

    def get(self, article_id: str) -> str | None:
        try:
            obj = self.s3.get_object(Bucket=self.bucket, Key=self.key(article_id))
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return obj["Body"].read().decode("utf-8")
