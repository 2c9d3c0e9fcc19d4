-- Every order id ever received, with the job it became. Intake records it in the job's transaction and
-- retention never deletes it: a replayed old order finds its receipt and makes no second job, even
-- after its job row is gone.
CREATE TABLE order_receipts (
    order_id    VARCHAR(64)              PRIMARY KEY,
    job_id      VARCHAR(36)              NOT NULL,
    received_at TIMESTAMP WITH TIME ZONE NOT NULL
);

INSERT INTO order_receipts (order_id, job_id, received_at)
SELECT order_id, id, created_at FROM processing_jobs;
