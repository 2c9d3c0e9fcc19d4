SELECT * FROM processing_jobs WHERE status = 'PROCESSING' AND owner_instance = :owner
