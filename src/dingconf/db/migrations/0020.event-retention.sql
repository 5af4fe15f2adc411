-- Event retention (docs/operations.md, "Retention and growth").
--
-- The dispatcher looks for each (app, meeting)'s first pending delivery. It
-- read every pending and settled row of the apps it serves and probed each
-- for an earlier pending one: on PostgreSQL, with 100,000 rows, that took
-- 10-24 s. An index by state, then in the dispatcher's order, lets it walk
-- an app's pending rows alone, already sorted (it stops after a batch), and
-- answer each probe with one seek. It also serves the listing by state.
CREATE INDEX event_deliveries_by_state
    ON event_deliveries (app_key, state, conference_id, seq, event_type);

-- The control API's listing pages through an app's rows in this order (the
-- cursor is the last row's (conference_id, seq, event_type)); it replaces
-- the index with state in the middle, which only the old probe used.
CREATE INDEX event_deliveries_listing
    ON event_deliveries (app_key, conference_id, seq, event_type);
DROP INDEX event_deliveries_order;
