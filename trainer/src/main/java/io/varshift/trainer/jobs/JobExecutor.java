package io.varshift.trainer.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.trainer.progress.JobContext;

/** Runs one job to completion on the calling thread and returns its result as JSON. */
@FunctionalInterface
public interface JobExecutor {

    ObjectNode execute(JobRequest request, JobContext context) throws Exception;
}
