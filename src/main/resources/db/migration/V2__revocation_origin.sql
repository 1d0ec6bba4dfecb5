-- Which node wrote a revocation, so a node following the log does not count its own revocations as
-- propagation from elsewhere (tessera_revocation_propagation_seconds).
alter table revocations add column origin text;
