-- With the delivery record: which slot and stick took the job, how it was verified, its manifest's digest.
UPDATE processing_jobs
   SET status = :status, run_token = NULL, stage = :stage, progress = 100, verified_by = :verifiedBy,
       slot = :slot, stick_id = :stickId, stick_serial = :stickSerial, stick_size_bytes = :stickSizeBytes,
       stick_fs_type = :stickFsType, stick_label = :stickLabel, manifest_sha256 = :manifestSha256, volume_label = :volumeLabel,
       completed_at = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP,
       duration_ms = CAST(EXTRACT(EPOCH FROM (CURRENT_TIMESTAMP - started_at)) * 1000 AS BIGINT)
 WHERE id = :id AND status IN (:from) AND run_token = :runToken
