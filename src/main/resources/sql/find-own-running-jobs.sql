SELECT * FROM processing_jobs WHERE status = :status AND owner_instance = :owner
