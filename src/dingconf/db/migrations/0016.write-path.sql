-- Every join and leave moves active_num. An index holding it had a page
-- rewritten (and written to the WAL) at each of them; the running meetings
-- are found by status alone, and metrics read their counts from the rows.
DROP INDEX conferences_running;
CREATE INDEX conferences_running ON conferences (status) WHERE status = 2;

-- Every join writes a network sample. Samples are read by meeting (and person),
-- which the primary key (conference_id, union_id, seq) serves as well; this
-- second index only cost each join another page.
DROP INDEX network_samples_by_time;
