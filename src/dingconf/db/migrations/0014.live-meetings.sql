-- Metrics read the running meetings at every scrape (storage/sql_ops.py);
-- this keeps that a walk over the running ones only.
CREATE INDEX conferences_running ON conferences (status, active_num) WHERE status = 2;
