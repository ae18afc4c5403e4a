\echo Use "CREATE EXTENSION pg_webhook" to load this file. \quit
