-- Keys that sign the URLs of recording files dingconf serves (service.media),
-- shared by every process using this database so that any of them can check
-- a URL another one signed.

CREATE TABLE media_keys (
    name TEXT NOT NULL PRIMARY KEY,
    secret TEXT NOT NULL
);
