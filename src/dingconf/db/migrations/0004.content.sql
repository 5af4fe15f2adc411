-- Meeting content (model.content): what people say, and when recordings and minutes ran.

CREATE TABLE utterances (
    conference_id TEXT NOT NULL REFERENCES conferences (conference_id),
    seq INTEGER NOT NULL,
    union_id TEXT NOT NULL,
    nick TEXT NOT NULL,
    text TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    PRIMARY KEY (conference_id, seq)
);

CREATE TABLE spans (
    conference_id TEXT NOT NULL REFERENCES conferences (conference_id),
    kind TEXT NOT NULL,
    seq INTEGER NOT NULL,
    take INTEGER NOT NULL,
    owner TEXT NOT NULL,
    start_ms BIGINT NOT NULL,
    end_ms BIGINT,
    PRIMARY KEY (conference_id, kind, seq)
);
