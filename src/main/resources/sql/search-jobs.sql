-- A page of a search (GET /api/jobs?q=): jobs the list's filters match whose order id or customer's
-- name starts with :text, whose stick id, serial or error code is :text, or whose error message holds
-- it, newest first after the cursor. Each key is a branch of its own that stops at :limit, so
-- PostgreSQL reads it through that key's index, or newest first (processing_jobs_created) when many
-- jobs share the key; the page is the newest :limit of their union: the same rows, in the same order,
-- as job-filter's one condition gives (a row among the newest :limit of all matches is among the
-- newest :limit of its own key's).
SELECT j.* FROM processing_jobs j
  JOIN (SELECT id FROM (SELECT id FROM processing_jobs
                         WHERE order_id LIKE :textPrefix ESCAPE '\' AND
-- include: job-search-scope
                         ORDER BY created_at DESC, id DESC LIMIT :limit) by_order_id
        UNION
        SELECT id FROM (SELECT id FROM processing_jobs
                         WHERE customer_key LIKE :textLowerPrefix ESCAPE '\' AND
-- include: job-search-scope
                         ORDER BY created_at DESC, id DESC LIMIT :limit) by_customer
        UNION
        SELECT id FROM (SELECT id FROM processing_jobs
                         WHERE stick_id = :text AND
-- include: job-search-scope
                         ORDER BY created_at DESC, id DESC LIMIT :limit) by_stick
        UNION
        SELECT id FROM (SELECT id FROM processing_jobs
                         WHERE stick_serial = :text AND
-- include: job-search-scope
                         ORDER BY created_at DESC, id DESC LIMIT :limit) by_serial
        UNION
        SELECT id FROM (SELECT id FROM processing_jobs
                         WHERE error_code = :textUpper AND
-- include: job-search-scope
                         ORDER BY created_at DESC, id DESC LIMIT :limit) by_error_code
        UNION
        SELECT id FROM (SELECT id FROM processing_jobs
                         WHERE error_message IS NOT NULL
                           AND LOWER(error_message) LIKE :textLowerInside ESCAPE '\' AND
-- include: job-search-scope
                         ORDER BY created_at DESC, id DESC LIMIT :limit) by_error_message
       ) hits ON hits.id = j.id
 ORDER BY j.created_at DESC, j.id DESC
 LIMIT :limit
