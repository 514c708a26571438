package io.varshift.trainer.remediation;

/** Where one remediation stands; the last five are final. */
public enum RemediationState {
    /** Reading the alarm windows' traffic from Kafka. */
    GATHERING,
    /** Re-estimating the BN statistics and verifying the candidate. */
    VERIFYING,
    /** Verified; waits for {@code POST /remediations/{id}/approve} (mode approve). */
    AWAITING_APPROVAL,
    /** Verified and published as the model's next version. */
    PROMOTED,
    /** Verified, not published (mode dry-run). */
    DRY_RUN,
    /** A check failed; nothing published. */
    REJECTED,
    /** Declined by an operator, or a newer version appeared meanwhile; nothing published. */
    DISCARDED,
    /** An error stopped it (broker, store, too little traffic); nothing published. */
    FAILED;

    boolean isFinal() {
        return ordinal() >= PROMOTED.ordinal();
    }
}
