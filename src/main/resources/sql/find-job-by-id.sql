SELECT * FROM processing_jobs WHERE id = :id
