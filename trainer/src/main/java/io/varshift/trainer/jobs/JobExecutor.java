package io.varshift.trainer.jobs;

import com.google.gson.JsonObject;
import io.varshift.trainer.progress.JobContext;

/** Runs one job to completion on the calling thread and returns its result as JSON. */
@FunctionalInterface
public interface JobExecutor {

    JsonObject execute(JobRequest request, JobContext context) throws Exception;
}
