-- Waiting jobs by the size class they wait for.
SELECT capacity_bytes, COUNT(*) AS jobs FROM processing_jobs WHERE status = :status GROUP BY capacity_bytes
