package io.varshift.trainer.jobs;

import com.google.gson.JsonObject;

import java.time.Instant;

/** An immutable snapshot of a job, as GET /jobs/{id} shows it. */
public record JobView(String id, JobType type, String model, JobState status, double progress, String phase,
                      String message, JsonObject request, JsonObject result, Instant submitted, Instant started,
                      Instant finished) {
}
