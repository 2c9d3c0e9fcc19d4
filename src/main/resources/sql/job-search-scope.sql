-- What each branch of search-jobs applies: the list's filters and the cursor of the page before
-- (the same rows as find-jobs' cursor), written so that created_at <= :cursorAt bounds an index range.
-- include: job-filter-fields
   AND (CAST(:cursorAt AS TIMESTAMP WITH TIME ZONE) IS NULL
        OR (created_at <= :cursorAt AND (created_at < :cursorAt OR id < :cursorId)))
