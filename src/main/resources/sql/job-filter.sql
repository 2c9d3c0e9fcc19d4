-- The list's filters (GET /api/jobs), shared by the list's count and the bulk actions. :text is a
-- search: an order id by prefix, a customer's name by prefix (any case), a stick's id or serial, an
-- error code, or words in the error message. A page of a search has a statement of its own that
-- PostgreSQL plans through the keys' indexes (search-jobs); this form counts every match.
-- include: job-filter-fields
   AND (CAST(:text AS VARCHAR(255)) IS NULL OR id IN (
            SELECT id FROM processing_jobs WHERE order_id LIKE :textPrefix ESCAPE '\'
            UNION SELECT id FROM processing_jobs WHERE customer_key LIKE :textLowerPrefix ESCAPE '\'
            UNION SELECT id FROM processing_jobs WHERE stick_id = :text
            UNION SELECT id FROM processing_jobs WHERE stick_serial = :text
            UNION SELECT id FROM processing_jobs WHERE error_code = :textUpper
            UNION SELECT id FROM processing_jobs
                   WHERE error_message IS NOT NULL AND LOWER(error_message) LIKE :textLowerInside ESCAPE '\'))
