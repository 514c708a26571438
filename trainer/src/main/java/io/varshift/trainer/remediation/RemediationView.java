package io.varshift.trainer.remediation;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One remediation as GET /remediations shows it: its trigger, where it stands, what the checks measured
 * and what was published.
 *
 * @param mode             the loop's mode when it started ({@code auto}, {@code approve}, {@code dry-run})
 * @param state            a {@link RemediationState} name
 * @param created          ISO-8601 instant
 * @param updated          ISO-8601 instant of the last move
 * @param checks           what the verification measured; null before it ran
 * @param publishedVersion the version published; null until one is
 */
public record RemediationView(String id, String model, int fromVersion, String mode, String state, String message,
                              String created, String updated, ObjectNode trigger, ObjectNode checks,
                              Integer publishedVersion) {
}
