package io.varshift.trainer.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * A snapshot of a job, as GET /jobs/{id} shows it; {@code request} and {@code result} are copies the
 * caller may keep.
 */
public record JobView(String id, JobType type, String model, JobState status, double progress, String phase,
                      String message, ObjectNode request, ObjectNode result, Instant submitted, Instant started,
                      Instant finished) {
}
