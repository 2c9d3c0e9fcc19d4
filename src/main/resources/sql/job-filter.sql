-- The list's filters (GET /api/jobs), shared by the list, its count and the bulk actions. :text is a
-- search: an order id by prefix, a customer's name by prefix (any case), a stick's id or serial, an
-- error code, or words in the error message; each key has an index (V10__JobSearch), the message one
-- on PostgreSQL only for jobs that have a message.
       (CAST(:orderId AS VARCHAR(64)) IS NULL OR order_id = :orderId)
   AND (CAST(:status AS VARCHAR(16)) IS NULL OR status = :status)
   AND (CAST(:priority AS VARCHAR(8)) IS NULL OR priority = :priority)
   AND (CAST(:errorCode AS VARCHAR(64)) IS NULL OR error_code = :errorCode)
   AND (CAST(:stick AS VARCHAR(255)) IS NULL OR stick_id = :stick OR stick_serial = :stick)
   AND (CAST(:createdFrom AS TIMESTAMP WITH TIME ZONE) IS NULL OR created_at >= :createdFrom)
   AND (CAST(:createdTo AS TIMESTAMP WITH TIME ZONE) IS NULL OR created_at < :createdTo)
   AND (CAST(:text AS VARCHAR(255)) IS NULL OR id IN (
            SELECT id FROM processing_jobs WHERE order_id LIKE :textPrefix ESCAPE '\'
            UNION SELECT id FROM processing_jobs WHERE customer_key LIKE :textLowerPrefix ESCAPE '\'
            UNION SELECT id FROM processing_jobs WHERE stick_id = :text
            UNION SELECT id FROM processing_jobs WHERE stick_serial = :text
            UNION SELECT id FROM processing_jobs WHERE error_code = :textUpper
            UNION SELECT id FROM processing_jobs
                   WHERE error_message IS NOT NULL AND LOWER(error_message) LIKE :textLowerInside ESCAPE '\'))
