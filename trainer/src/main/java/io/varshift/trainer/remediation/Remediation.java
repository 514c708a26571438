package io.varshift.trainer.remediation;

import com.google.gson.JsonObject;

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
    private JsonObject checks;
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

    synchronized void checked(JsonObject measured) {
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

    synchronized JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        o.addProperty("model", model);
        o.addProperty("fromVersion", fromVersion);
        o.addProperty("mode", mode.wireName());
        o.addProperty("state", state.name());
        o.addProperty("message", message);
        o.addProperty("created", created.toString());
        o.addProperty("updated", updated.toString());
        o.add("trigger", trigger.toJson());
        o.add("checks", checks);
        o.addProperty("publishedVersion", publishedVersion);
        return o;
    }
}
