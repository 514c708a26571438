package io.varshift.trainer.remediation;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/** One remediation: its trigger, where it stands, what the checks measured and what was published. */
final class Remediation {

    final String id;
    final String model;
    final int fromVersion;
    final RemediationSettings.Mode mode;
    final Trigger trigger;
    final Instant created;
    private RemediationState state = RemediationState.GATHERING;
    private Instant updated;
    private String message;
    private ObjectNode checks;
    private Integer publishedVersion;
    /** The verified candidate while it waits for approval; null otherwise. */
    private CandidateCheck.Checked awaiting;

    Remediation(String id, Trigger trigger, RemediationSettings.Mode mode, Instant created) {
        this.id = id;
        this.model = trigger.model();
        this.fromVersion = trigger.version();
        this.mode = mode;
        this.trigger = trigger;
        this.created = created;
        this.updated = created;
    }

    synchronized RemediationState state() {
        return state;
    }

    synchronized void move(RemediationState to, String why, Instant now) {
        state = to;
        message = why;
        updated = now;
    }

    synchronized void checked(ObjectNode measured) {
        checks = measured;
    }

    synchronized void published(int version) {
        publishedVersion = version;
    }

    synchronized void await(CandidateCheck.Checked candidate) {
        awaiting = candidate;
    }

    /** The candidate waiting for approval, handed over once (null when there is none). */
    synchronized CandidateCheck.Checked takeAwaiting() {
        CandidateCheck.Checked c = awaiting;
        awaiting = null;
        return c;
    }

    synchronized RemediationView view() {
        return new RemediationView(id, model, fromVersion, mode.wireName(), state.name(), message, created.toString(),
                updated.toString(), trigger.toJson(), checks == null ? null : checks.deepCopy(), publishedVersion);
    }
}
