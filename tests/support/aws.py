"""Fixtures for embedded AWS (moto), the real store and hasher, a frozen clock and recording fakes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from laptop.aws import LOCAL_HMAC_KEY, REGION, embedded_aws, local_environment
from passwordless.keyed_hash import KeyedHasher
from passwordless.secret_store import SecretStore
from passwordless.settings import Settings
from tests.support.fakes import FakeClock, RecordingLogger, RecordingSender


@pytest.fixture
def outbox_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "outbox"
    folder.mkdir()
    return folder


@pytest.fixture
def aws(outbox_dir: Path) -> Iterator[Settings]:
    with embedded_aws(local_environment(outbox_dir)) as settings:
        yield settings


@pytest.fixture
def kms_aws(outbox_dir: Path) -> Iterator[Settings]:
    """Embedded AWS as a KeyStore kms stack has it: a KMS HMAC key behind an alias, no key secret."""
    with embedded_aws(local_environment(outbox_dir, KEY_STORE="kms")) as settings:
        yield settings


@pytest.fixture
def dynamodb(aws: Settings) -> object:
    return boto3.client("dynamodb", region_name=REGION)


@pytest.fixture
def store(aws: Settings) -> SecretStore:
    return SecretStore(boto3.client("dynamodb", region_name=REGION), aws.table_name)


@pytest.fixture
def hasher() -> KeyedHasher:
    return KeyedHasher(LOCAL_HMAC_KEY.encode())


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_800_000_000.0)


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def security_log() -> RecordingLogger:
    return RecordingLogger()


@pytest.fixture(autouse=True)
def _quiet_botocore() -> None:
    logging.getLogger("botocore").setLevel(logging.WARNING)
