#!/bin/sh
# First start of the postgres container only (docker-entrypoint-initdb.d): one role and database for
# the app, one role for Temporal (temporal-sql-tool creates its two databases, temporal and
# temporal_visibility). Passwords from the container's environment, never written here.
set -eu
psql -v ON_ERROR_STOP=1 --username postgres <<SQL
CREATE ROLE rectify LOGIN PASSWORD '${RECTIFY_DB_PASSWORD}';
CREATE DATABASE rectify OWNER rectify;
CREATE ROLE temporal LOGIN CREATEDB PASSWORD '${TEMPORAL_DB_PASSWORD}';
SQL
