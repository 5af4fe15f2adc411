-- Every join and leave moves active_num. An index holding it had a page
-- rewritten (and written to the WAL) at each of them; the running meetings
-- are found by status alone, and metrics read their counts from the rows.
DROP INDEX conferences_running;
CREATE INDEX conferences_running ON conferences (status) WHERE status = 2;
