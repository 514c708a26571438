package io.varshift.trainer.remediation;

import io.varshift.trainer.TrainerConfig;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The loop's policy, checked once at start; a bad value stops the start with a message naming the
 * property ({@code varshift.trainer.remediation.*}).
 */
record RemediationSettings(Mode mode, String bootstrap, String windowResultsTopic, String auditTopic, String groupId,
                           List<String> models, int persistWindows, int records, int verifyWindows,
                           Duration interval, double accuracyMargin, int heldOutLimit, int kafkaTimeoutSeconds) {

    /** What happens to a verified candidate. */
    enum Mode {
        /** Published at once as the model's next version. */
        AUTO,
        /** Held until {@code POST /remediations/{id}/approve}. */
        APPROVE,
        /** Never published; the audit says what would have been. */
        DRY_RUN;

        static Mode parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "approve" -> APPROVE;
                case "dry-run" -> DRY_RUN;
                default -> throw invalid("mode", "'" + text + "'; use auto, approve or dry-run");
            };
        }

        String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    RemediationSettings {
        models = List.copyOf(models);
        if (persistWindows < 1 || persistWindows > 1000) {
            throw invalid("persist-windows", persistWindows + "; use 1..1000");
        }
        if (records < 32 || records > 100_000) {
            throw invalid("records", records + "; use 32..100000 (at least the largest calibrated window)");
        }
        if (verifyWindows < 1 || verifyWindows > 100) {
            throw invalid("verify-windows", verifyWindows + "; use 1..100");
        }
        if (interval.isNegative()) {
            throw invalid("interval", interval + " is negative");
        }
        if (!(accuracyMargin >= 0 && accuracyMargin <= 1)) {
            throw invalid("accuracy-margin", accuracyMargin + "; use a value in [0, 1]");
        }
        if (heldOutLimit < 1) {
            throw invalid("held-out-limit", heldOutLimit + "; use at least 1");
        }
        if (kafkaTimeoutSeconds < 1 || kafkaTimeoutSeconds > 600) {
            throw invalid("kafka-timeout", kafkaTimeoutSeconds + "; use 1..600 seconds");
        }
    }

    static RemediationSettings of(TrainerConfig.Remediation c) {
        return new RemediationSettings(Mode.parse(c.mode()), c.bootstrapServers(), c.windowResultsTopic(),
                c.auditTopic(), c.groupId(), c.models().orElse(List.of()), c.persistWindows(), c.records(),
                c.verifyWindows(), c.interval(), c.accuracyMargin(), c.heldOutLimit(), c.kafkaTimeout());
    }

    private static IllegalArgumentException invalid(String key, String detail) {
        return new IllegalArgumentException("varshift.trainer.remediation." + key + " = " + detail);
    }
}
