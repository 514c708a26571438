package io.varshift.trainer.remediation;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.varshift.core.artifact.ArtifactContents;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.data.ImageSet;
import io.varshift.core.json.Json;
import io.varshift.core.spec.ModelSpec;
import io.varshift.trainer.TrainerConfig;
import io.varshift.trainer.TrainerJobs;
import io.varshift.trainer.adjust.BnAdjustService;
import io.varshift.trainer.adjust.KafkaTraffic;
import io.varshift.trainer.jobs.KafkaSource;
import io.varshift.trainer.progress.JobContext;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The remediation loop of {@code trainer serve}: reads the agent's window results, and when a model's
 * model-level alarm persists ({@link AlarmTracker}) gathers the alarm windows' traffic from Kafka,
 * recalibrates label-free, verifies the candidate ({@link CandidateCheck}) and, by mode, publishes it,
 * holds it for approval or only reports it. Every step goes to the audit topic first ({@link AuditLog}).
 * One consumer thread feeds the policy; one worker thread does the remediations, one at a time.
 */
@Singleton
public class RemediationController {

    private static final Logger LOG = Logger.getLogger(RemediationController.class);
    /** Remediations kept for GET /remediations, oldest dropped first. */
    private static final int HISTORY = 200;

    private final TrainerConfig.Remediation config;
    private final BnAdjustService adjust;
    private final ModelStore store;
    private final MeterRegistry registry;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, Remediation> remediations = new LinkedHashMap<>();
    private final Counter badWindowResults;
    private RemediationSettings settings;
    private AlarmTracker tracker;
    private AuditLog audit;
    private ExecutorService worker;
    private Thread consumerThread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean running;

    RemediationController(TrainerConfig config, TrainerJobs jobs, MeterRegistry registry) {
        this.config = config.remediation();
        this.adjust = jobs.adjust();
        this.store = jobs.store();
        this.registry = registry;
        this.badWindowResults = Counter.builder("varshift.remediation.window.results.rejected")
                .description("Window-results records the controller could not read").register(registry);
        Gauge.builder("varshift.remediations.awaiting.approval", this, RemediationController::awaitingApproval)
                .description("Verified candidates waiting for POST /remediations/{id}/approve").register(registry);
    }

    /** Whether {@code serve} should start the loop. */
    public boolean enabled() {
        return config.enabled();
    }

    /**
     * Starts the consumer and the worker.
     *
     * @throws IllegalArgumentException naming the property when a setting is out of range
     */
    public synchronized void start() {
        if (running) {
            return;
        }
        settings = RemediationSettings.of(config);
        tracker = new AlarmTracker(settings.persistWindows(), settings.records(), settings.verifyWindows(),
                settings.interval());
        audit = auditLog();
        worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "varshift-remediation");
            t.setDaemon(true);
            return t;
        });
        running = true;
        consumerThread = new Thread(this::consume, "varshift-remediation-consumer");
        consumerThread.setDaemon(true);
        consumerThread.start();
        LOG.infof("remediation loop started: mode %s, window results from '%s' at %s, audit to '%s', trigger after %d"
                        + " ALARM windows, %d samples to recalibrate on, %d windows to verify on, interval %s",
                settings.mode().wireName(), settings.windowResultsTopic(), settings.bootstrap(), settings.auditTopic(),
                settings.persistWindows(), settings.records(), settings.verifyWindows(), settings.interval());
    }

    private synchronized AuditLog auditLog() {
        if (audit == null) {
            audit = new AuditLog(config.bootstrapServers(), config.auditTopic(), config.kafkaTimeout(), registry,
                    clock);
        }
        return audit;
    }

    private void consume() {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, settings.groupId(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "true",
                // Fleet-mode window results are written in transactions: an aborted one must not trigger.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.CLIENT_ID_CONFIG, "varshift-trainer-remediation");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer = c;
            c.subscribe(List.of(settings.windowResultsTopic()));
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : c.poll(Duration.ofMillis(500))) {
                    observe(record);
                }
            }
        } catch (WakeupException stopping) {
            // close() woke the poll up
        } catch (RuntimeException e) {
            LOG.errorf(e, "the remediation consumer stopped: %s; no further alarm is remediated until restart",
                    e.getMessage());
        }
    }

    private void observe(ConsumerRecord<byte[], byte[]> record) {
        WindowResult w;
        try {
            w = WindowResult.parse(record.value());
        } catch (IllegalArgumentException e) {
            badWindowResults.increment();
            LOG.warnf("window result %s-%d@%d skipped: %s", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            return;
        }
        if (!settings.models().isEmpty() && !settings.models().contains(w.model())) {
            return;
        }
        AlarmTracker.Decision decision;
        synchronized (tracker) {
            decision = tracker.observe(w, clock.instant());
            if (decision instanceof AlarmTracker.Start start) {
                tracker.started(w.model(), clock.instant());
                Remediation r = new Remediation(UUID.randomUUID().toString(), start.trigger(), settings.mode(),
                        clock.instant());
                remember(r);
                worker.submit(() -> run(r));
            }
        }
        if (decision instanceof AlarmTracker.Held held) {
            ObjectNode detail = Json.object();
            detail.put("version", held.version());
            detail.put("reason", held.reason());
            try {
                audit.write(held.model(), null, "held", detail);
            } catch (AuditLog.AuditException e) {
                LOG.warn(e.getMessage());
            }
        }
    }

    private synchronized void remember(Remediation r) {
        remediations.put(r.id, r);
        if (remediations.size() > HISTORY) {
            remediations.entrySet().stream().filter(e -> e.getValue().state().isFinal()).findFirst()
                    .ifPresent(e -> remediations.remove(e.getKey()));
        }
    }

    /** One remediation, on the worker thread: gather, recalibrate, verify, then by mode. */
    private void run(Remediation r) {
        long started = System.nanoTime();
        boolean held = false;
        try {
            audit.write(r.model, r.id, "triggered", withMode(r.trigger.toJson(), r));
            int latest = store.latestVersion(r.model).orElse(0);
            if (latest != r.fromVersion) {
                finish(r, RemediationState.DISCARDED, "the alarm was on v" + r.fromVersion + " but the store's latest"
                        + " is v" + latest + "; the agent judges that one next", Json.object());
                return;
            }
            ModelArtifact source = store.load(r.model, r.fromVersion);
            long[] shape = ModelSpec.fromJson(source.modelJson()).inputShape();
            int windowSamples = r.trigger.windowSamples();
            int verifySamples = settings.verifyWindows() * windowSamples;
            Gathered traffic = gather(r, shape, settings.records() + verifySamples);
            CandidateCheck.Split split = CandidateCheck.split(traffic.images, settings.records(), verifySamples,
                    windowSamples);
            ImageSet recal = split.recalibrate();
            ImageSet verify = split.verify();
            ObjectNode gathered = Json.object();
            gathered.set("sources", traffic.notes);
            gathered.put("recalibrationSamples", recal.size());
            gathered.put("verificationSamples", verify.size());
            audit.write(r.model, r.id, "gathered", gathered);
            r.move(RemediationState.VERIFYING, "recalibrating on " + recal.size() + " samples, verifying on "
                    + verify.size(), clock.instant());

            ObjectNode provenance = Json.object();
            provenance.put("method", "remediate");
            provenance.put("remediation", r.id);
            provenance.set("trigger", r.trigger.toJson());
            provenance.put("data", "kafka, the alarm windows' ranges at " + settings.bootstrap());
            provenance.set("source", traffic.notes);
            provenance.put("samples", recal.size());
            provenance.put("verificationSamples", verify.size());
            CandidateCheck.Checked checked = new CandidateCheck(adjust, 256, settings.accuracyMargin())
                    .check(source, recal, verify, CandidateCheck.heldOut(source, adjust.dataDir(), settings.heldOutLimit()), windowSamples, provenance, JobContext.silent());
            dropNaN(provenance);
            r.checked(checked.checks());
            if (!checked.passed()) {
                checked.close();
                finish(r, RemediationState.REJECTED, checked.failure(), checked.checks());
                return;
            }
            audit.write(r.model, r.id, "verified", checked.checks());
            switch (r.mode) {
                case DRY_RUN -> {
                    checked.close();
                    finish(r, RemediationState.DRY_RUN, "verified; dry-run mode publishes nothing", Json.object());
                }
                case APPROVE -> {
                    r.await(checked);
                    held = true;
                    r.move(RemediationState.AWAITING_APPROVAL, "verified; POST /remediations/" + r.id
                            + "/approve publishes it", clock.instant());
                    audit.write(r.model, r.id, "awaiting-approval", Json.object());
                }
                case AUTO -> promote(r, checked, "auto");
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "remediation %s of '%s' failed", r.id, r.model);
            CandidateCheck.Checked waiting = r.takeAwaiting();
            if (waiting != null) {
                waiting.close();
            }
            held = false;
            ObjectNode detail = Json.object();
            detail.put("error", String.valueOf(e.getMessage()));
            finishQuietly(r, RemediationState.FAILED, String.valueOf(e.getMessage()), detail);
        } finally {
            if (!held) {
                synchronized (tracker) {
                    tracker.finished(r.model);
                }
            }
            Timer.builder("varshift.remediation.duration").description("From trigger to the remediation's last step")
                    .tag("model", r.model).register(registry).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    /** Writes the candidate as the next version, unless the store moved on meanwhile. */
    private void promote(Remediation r, CandidateCheck.Checked checked, String by) {
        try (checked) {
            int latest = store.latestVersion(r.model).orElse(0);
            if (latest != r.fromVersion) {
                finish(r, RemediationState.DISCARDED, "v" + latest + " was published meanwhile; the candidate from v"
                        + r.fromVersion + " is dropped", Json.object());
                return;
            }
            checked.candidate().provenance().put("promotedBy", by);
            ObjectNode intent = Json.object();
            intent.put("by", by);
            audit.write(r.model, r.id, "promoting", intent);
            int version = adjust.publish(checked.candidate());
            r.published(version);
            ObjectNode detail = Json.object();
            detail.put("version", version);
            detail.put("by", by);
            finish(r, RemediationState.PROMOTED, "published as v" + version, detail);
        }
    }

    private void finish(Remediation r, RemediationState state, String why, ObjectNode detail) {
        detail = detail.deepCopy();
        r.move(state, why, clock.instant());
        detail.put("state", state.name());
        detail.put("message", why);
        Counter.builder("varshift.remediations").description("Remediations by how they ended")
                .tag("model", r.model).tag("outcome", state.name().toLowerCase(java.util.Locale.ROOT))
                .register(registry).increment();
        audit.write(r.model, r.id, state.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), detail);
    }

    private void finishQuietly(Remediation r, RemediationState state, String why, ObjectNode detail) {
        try {
            finish(r, state, why, detail);
        } catch (AuditLog.AuditException e) {
            LOG.error(e.getMessage());
        }
    }

    private ObjectNode withMode(ObjectNode trigger, Remediation r) {
        trigger.put("mode", r.mode.wireName());
        return trigger;
    }

    /** The traffic read and the notes of what was read (ranges, counts, rejects by reason), per partition. */
    private record Gathered(ImageSet images, ArrayNode notes) {
    }

    /** The last {@code need} records of each alarm range, read with the recalibrate job's reader. */
    private Gathered gather(Remediation r, long[] shape, int need) {
        ImageSet all = null;
        ArrayNode notes = Json.array();
        for (WindowResult.Range range : r.trigger.ranges()) {
            long from = Math.max(range.first(), range.last() + 1 - need);
            KafkaSource source = new KafkaSource(settings.bootstrap(), range.topic(), List.of(range.partition()),
                    from, range.last() + 1, null, null, null, Map.of(), settings.kafkaTimeoutSeconds());
            KafkaTraffic.Result read = KafkaTraffic.read(source, r.model, shape, need, JobContext.silent());
            notes.add(read.note());
            all = all == null ? read.images() : ImageSet.concat(all, read.images());
        }
        if (all == null) {
            throw new IllegalArgumentException("the alarm windows name no traffic offsets");
        }
        return new Gathered(all, notes);
    }

    /** Unlabelled traffic has no accuracy; a NaN would not be valid JSON. */
    private static void dropNaN(ObjectNode provenance) {
        for (String key : List.of("accuracyBefore", "accuracyAfter")) {
            if (provenance.has(key) && Double.isNaN(provenance.get(key).asDouble())) {
                provenance.remove(key);
            }
        }
    }

    public synchronized List<RemediationView> list() {
        List<RemediationView> out = new ArrayList<>();
        remediations.values().forEach(r -> out.add(r.view()));
        return out;
    }

    public synchronized Optional<RemediationView> get(String id) {
        return Optional.ofNullable(remediations.get(id)).map(Remediation::view);
    }

    /**
     * Publishes a candidate that waits for approval, on the worker thread.
     *
     * @throws NoSuchElementException for an unknown id
     * @throws IllegalStateException  when it does not wait for approval
     */
    public RemediationView approve(String id) {
        Remediation r = waiting(id);
        return onWorker(() -> {
            CandidateCheck.Checked checked = r.takeAwaiting();
            if (checked == null) {
                throw new IllegalStateException("remediation " + id + " is " + r.state() + ", not AWAITING_APPROVAL");
            }
            try {
                promote(r, checked, "approval");
            } finally {
                synchronized (tracker) {
                    tracker.finished(r.model);
                }
            }
            return r.view();
        });
    }

    /** Drops a candidate that waits for approval; nothing is published. */
    public RemediationView decline(String id) {
        Remediation r = waiting(id);
        return onWorker(() -> {
            CandidateCheck.Checked checked = r.takeAwaiting();
            if (checked == null) {
                throw new IllegalStateException("remediation " + id + " is " + r.state() + ", not AWAITING_APPROVAL");
            }
            checked.close();
            try {
                finish(r, RemediationState.DISCARDED, "declined by an operator", Json.object());
            } finally {
                synchronized (tracker) {
                    tracker.finished(r.model);
                }
            }
            return r.view();
        });
    }

    private Remediation waiting(String id) {
        Remediation r;
        synchronized (this) {
            r = remediations.get(id);
        }
        if (r == null) {
            throw new NoSuchElementException("no remediation with id '" + id + "'; GET /remediations lists them");
        }
        if (r.state() != RemediationState.AWAITING_APPROVAL) {
            throw new IllegalStateException("remediation " + id + " is " + r.state() + ", not AWAITING_APPROVAL");
        }
        if (worker == null) {
            throw new IllegalStateException("the remediation loop is not running");
        }
        return r;
    }

    private <T> T onWorker(java.util.concurrent.Callable<T> task) {
        Future<T> f = worker.submit(task);
        try {
            return f.get(5, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the remediation worker did not answer within 5 minutes", e);
        }
    }

    /**
     * Publishes a copy of the model's earlier version {@code version} as its next version (versions only
     * increase, so the agent hot-reloads it like any other), with {@code provenance.method = rollback}.
     * Counts as a remediation for the interval, so that the loop does not at once recalibrate the
     * version an operator chose. Works whether the loop runs or not; the audit record (written only when the loop is enabled) is
     * best-effort.
     *
     * @throws NoSuchElementException   when the model or the version does not exist
     * @throws IllegalArgumentException when the version is already the latest
     */
    public Rollback rollback(String model, int version) {
        List<Integer> versions = store.versions(model);
        if (versions.isEmpty()) {
            throw new NoSuchElementException("model '" + model + "' has no versions; GET /models lists the models");
        }
        if (!versions.contains(version)) {
            throw new NoSuchElementException("model '" + model + "' has no version " + version + "; it has "
                    + versions);
        }
        int latest = store.latestVersion(model).orElseThrow();
        if (latest == version) {
            throw new IllegalArgumentException("v" + version + " of '" + model + "' is already the latest version");
        }
        ModelArtifact target = store.load(model, version);
        ObjectNode modelJson = target.modelJson();
        ObjectNode provenance = Json.object();
        provenance.put("method", "rollback");
        provenance.put("from", latest);
        provenance.put("to", version);
        provenance.put("at", clock.instant().toString());
        if (target.modelJson().has("provenance")) {
            provenance.set("copied", target.modelJson().get("provenance"));
        }
        modelJson.set("provenance", provenance);
        ArtifactContents.Builder contents = ArtifactContents.builder().setModelJson(modelJson)
                .setReferenceJson(target.referenceJson());
        target.paramsFiles().forEach(p -> contents.addParams(p.getFileName().toString(), p));
        int written = store.write(model, contents.build());
        if (tracker != null) {
            synchronized (tracker) {
                tracker.started(model, clock.instant());
                tracker.finished(model);
            }
        }
        boolean audited = config.enabled();
        try {
            if (audited) {
                ObjectNode detail = Json.object();
                detail.put("model", model);
                detail.put("version", written);
                detail.put("rolledBackTo", version);
                detail.put("from", latest);
                auditLog().write(model, null, "rollback", detail);
            } else {
                LOG.infof("rollback of '%s' to v%d published as v%d (the remediation loop is off: no audit record)",
                        model, version, written);
            }
        } catch (RuntimeException e) {
            audited = false;
            LOG.warnf("rollback of '%s' to v%d published as v%d but not audited: %s", model, version, written,
                    e.getMessage());
        }
        return new Rollback(model, written, version, latest, audited);
    }

    /**
     * A rollback's answer: {@code version} is the new version, a copy of {@code rolledBackTo}, published
     * over {@code from}; {@code audited} says whether the audit topic acknowledged it.
     */
    public record Rollback(String model, int version, int rolledBackTo, int from, boolean audited) {
    }

    private double awaitingApproval() {
        synchronized (this) {
            return remediations.values().stream().filter(r -> r.state() == RemediationState.AWAITING_APPROVAL)
                    .count();
        }
    }

    @PreDestroy
    synchronized void close() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (worker != null) {
            worker.shutdownNow();
        }
        if (audit != null) {
            audit.close();
        }
    }
}
