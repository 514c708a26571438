package io.varshift.trainer.remediation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.varshift.core.json.Json;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every step of the loop as one JSON record on the audit topic (key = model), one log line and one
 * increment of {@code varshift_remediation_steps_total{model,step}}. A write waits for the broker's
 * acknowledgement; one that fails is counted in {@code varshift_remediation_audit_failures_total} and
 * reported to the caller, which does not publish a model it could not audit.
 */
final class AuditLog implements AutoCloseable {

    /** Bumped on any incompatible change of the audit record. */
    static final int SCHEMA_VERSION = 1;

    private static final Logger LOG = Logger.getLogger(AuditLog.class);

    private final String topic;
    private final KafkaProducer<String, String> producer;
    private final MeterRegistry registry;
    private final Counter failures;
    private final Clock clock;
    private final int timeoutSeconds;

    AuditLog(String bootstrap, String topic, int timeoutSeconds, MeterRegistry registry, Clock clock) {
        this.topic = topic;
        this.registry = registry;
        this.clock = clock;
        this.timeoutSeconds = timeoutSeconds;
        this.failures = Counter.builder("varshift.remediation.audit.failures")
                .description("Audit records the broker did not acknowledge").register(registry);
        int timeoutMs = timeoutSeconds * 1000;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "varshift-trainer-remediation-audit",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 30_000),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(timeoutMs, Math.min(timeoutMs, 30_000) + 1000)),
                new StringSerializer(), new StringSerializer());
    }

    /**
     * @param remediation the remediation's id, or null for a step of no remediation (a rollback)
     * @throws AuditException when the broker did not acknowledge the record in time
     */
    void write(String model, String remediation, String step, ObjectNode detail) {
        ObjectNode record = Json.object();
        record.put("schemaVersion", SCHEMA_VERSION);
        record.put("at", clock.instant().toString());
        record.put("model", model);
        record.put("remediation", remediation);
        record.put("step", step);
        record.set("detail", detail);
        String value = Json.compact(record);
        Counter.builder("varshift.remediation.steps").description("Steps of the remediation loop, as audited")
                .tag("model", model).tag("step", step).register(registry).increment();
        LOG.infof("remediation %s of '%s': %s %s", remediation == null ? "-" : remediation, model, step, detail);
        try {
            producer.send(new ProducerRecord<>(topic, model, value)).get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            failures.increment();
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new AuditException("audit topic '" + topic + "': the step '" + step + "' of model '" + model
                    + "' was not acknowledged within " + timeoutSeconds + " s (" + cause + ")", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failures.increment();
            throw new AuditException("interrupted while writing the audit record of '" + step + "'", e);
        }
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }

    /** The audit record could not be written; the step it describes must not take effect. */
    static final class AuditException extends RuntimeException {
        AuditException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
