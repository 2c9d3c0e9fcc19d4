-- Bulk retries and cancels run in the background: POST answers 202 with the operation's id at once.
-- Each batch of jobs commits together with the operation's cursor, counts and heartbeat, under the
-- token of the run that holds it, so an operation whose instance stopped is taken up where it stood
-- (a new token) by any instance once its heartbeat is older than pipeline.bulk.resume-after.
CREATE TABLE bulk_operations (
    id                VARCHAR(36)   PRIMARY KEY,
    kind              VARCHAR(16)   NOT NULL,
    filters           VARCHAR(2000) NOT NULL,
    target            VARCHAR(255)  NOT NULL,
    actor             VARCHAR(64)   NOT NULL,
    status            VARCHAR(16)   NOT NULL,
    matched           BIGINT        NOT NULL,
    eligible          BIGINT        NOT NULL,
    processed         BIGINT        NOT NULL DEFAULT 0,
    changed           BIGINT        NOT NULL DEFAULT 0,
    cursor_created_at TIMESTAMP WITH TIME ZONE,
    cursor_id         VARCHAR(36),
    run_token         VARCHAR(36)   NOT NULL,
    resumed           INT           NOT NULL DEFAULT 0,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    heartbeat_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at       TIMESTAMP WITH TIME ZONE
);

CREATE INDEX bulk_operations_running ON bulk_operations (status, heartbeat_at);
CREATE INDEX bulk_operations_finished_at ON bulk_operations (finished_at);
