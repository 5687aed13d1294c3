"""The database layer (seed section 2): RDS PostgreSQL with pgvector (``PgvectorDatabase``,
``PgvectorExtension``) and ElastiCache (``RedisCluster``), their plans, and the ``database``
and ``cache`` config sections.

This module is the package's face: code outside the package imports from here.
"""

from __future__ import annotations

from .cache import RedisCluster, RedisClusterArgs
from .cache_settings import ALLOWED_CACHE_NODE_FAMILIES, SUPPORTED_CACHE_ENGINES, CacheSettings
from .database import PgvectorDatabase, PgvectorDatabaseArgs
from .database_settings import ALLOWED_DB_INSTANCE_FAMILIES, DatabaseSettings
from .pgvector import PgvectorExtension, PgvectorExtensionArgs

from .secrets import encrypted_secret

__all__ = [
    "ALLOWED_CACHE_NODE_FAMILIES",
    "ALLOWED_DB_INSTANCE_FAMILIES",
    "SUPPORTED_CACHE_ENGINES",
    "encrypted_secret",
    "CacheSettings",
    "DatabaseSettings",
    "PgvectorDatabase",
    "PgvectorDatabaseArgs",
    "PgvectorExtension",
    "PgvectorExtensionArgs",
    "RedisCluster",
    "RedisClusterArgs",
]
