-- How many jobs the list's filters match, and how many of those a bulk action may change (:eligible).
SELECT COUNT(*) AS matched, COALESCE(SUM(CASE WHEN status IN (:eligible) THEN 1 ELSE 0 END), 0) AS eligible
  FROM processing_jobs
 WHERE
-- include: job-filter
