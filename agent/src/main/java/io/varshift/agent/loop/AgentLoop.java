package io.varshift.agent.loop;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import io.varshift.agent.fleet.Partial;
import io.varshift.agent.metrics.AgentMetrics;

/**
 * The agent's consumer loop, on one thread; it only wires the parts: poll → {@link RecordIntake}
 * (decode) → {@link DeadLetterReporter} for rejects, {@link Sampler}, {@link ModelLane} (batch,
 * forward, window) → core's {@code WindowJudge} → {@link ResultsPublisher} → {@link OffsetTracker}
 * (commit only what published windows, dead letters and sampling cover, after the flush).
 *
 * <p>In fleet mode ({@link LoopSettings#fleet()}) no window is judged here: a {@link SliceCutter} cuts each
 * partition into slices by offset, every lane hands over its partial of a cut slice, and the partials
 * go out with the dead letters and the consumer offsets in one Kafka transaction.
 */
public final class AgentLoop implements Runnable, ConsumerRebalanceListener {

    private static final Logger LOG = Logger.getLogger(AgentLoop.class);

    private final Consumer<byte[], byte[]> consumer;
    private final LoopSettings settings;
    private final ModelSource models;
    private final AgentMetrics metrics;
    private final Clock clock;
    private final Sampler sampler;
    private final Map<String, ModelLane> lanes = new LinkedHashMap<>();
    private final RecordIntake intake = new RecordIntake(lanes);
    private final Outbox outbox;
    private final DeadLetterReporter deadLetters;
    private final ResultsPublisher publisher;
    private final OffsetTracker offsets = new OffsetTracker();
    private final StatusView status = new StatusView();
    /** Fleet mode only, else null. */
    private final SliceCutter cutter;
    /** Fleet mode: slices cut (their partials sent) since the last commit of the transaction. */
    private boolean uncommittedCuts;
    private Instant nextFleetCommit = Instant.MIN;

    private volatile boolean stopping;
    /** Set before the consumer closes: closing revokes the partitions, and nothing more may be committed then. */
    private boolean closing;
    private volatile boolean joined;
    private volatile Instant lastPoll;
    private Instant nextReload;
    private Instant nextCommit;

    public AgentLoop(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> producer, LoopSettings settings,
            ModelSource models, AgentMetrics metrics, Clock clock) {
        this.consumer = consumer;
        this.settings = settings;
        this.models = models;
        this.metrics = metrics;
        this.clock = clock;
        this.sampler = new Sampler(settings.sampleRate());
        this.outbox = new Outbox(producer, settings.fleetMode());
        this.cutter = settings.fleetMode() ? new SliceCutter(settings.fleet()) : null;
        this.deadLetters = new DeadLetterReporter(settings.deadLetterTopic(), settings.maxRecordBytes(), outbox, metrics);
        this.publisher = new ResultsPublisher(settings.windowResultsTopic(), settings.alertsTopic(),
                (topic, key, value) -> outbox.send(new ProducerRecord<>(topic, key, value)), metrics,
                settings.publishMoments());
        for (String name : models.names()) {
            lanes.put(name, new ModelLane(name, settings, metrics));
        }
    }

    /**
     * Runs until {@link #stop()}; throws what stopped it otherwise. On the way out it commits what is
     * covered (unless it failed: then nothing more is committed and a restart replays) and closes the clients.
     */
    @Override
    public void run() {
        boolean failed = false;
        try {
            start();
            while (!stopping) {
                step();
            }
        } catch (WakeupException e) {
            if (!stopping) {
                failed = true;
                throw e;
            }
        } catch (RuntimeException | Error e) {
            failed = true;
            throw e;
        } finally {
            shutdown(failed);
        }
    }

    /** Subscribes and loads the models; {@link #run()} calls it, tests driving {@link #step()} call it once. */
    public void start() {
        outbox.initTransactions();
        consumer.subscribe(settings.topics(), this);
        Instant now = clock.instant();
        reload();
        nextReload = now.plus(settings.reloadInterval());
        nextCommit = now.plus(settings.commitInterval());
    }

    /** One iteration: poll, handle records, close due batches and windows, reload, commit. */
    public void step() {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.pollTimeout());
        Instant now = clock.instant();
        lastPoll = now;
        // Per partition, in the same order as iterating the records, so one TopicPartition serves them all.
        boolean cut = false;
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                if (cutter != null) {
                    SliceCutter.Slice ended = cutter.endedBy(partition, record.offset());
                    if (ended != null) {
                        cut(partition, ended, ended.end(), "offset", now);
                        cut = true;
                    }
                    offsets.hold(partition, cutter.handled(partition, record.offset(), now).start());
                }
                offsets.handled(partition, record.offset());
                RecordIntake.Outcome outcome = intake.read(record);
                if (outcome.accepted()) {
                    accept(partition, record, outcome, now);
                } else {
                    deadLetters.report(record, outcome.reason(), outcome.message());
                }
            }
        }
        if (cutter != null) {
            uncommittedCuts |= cutDue(now) || cut;
            if (uncommittedCuts && !now.isBefore(nextFleetCommit)) {
                commitCovered();
            }
        }
        if (!records.isEmpty()) {
            status.refresh(lanes.values());
        }
        for (ModelLane lane : lanes.values()) {
            if (lane.tick(now)) {
                close(lane, now, "time");
            }
        }
        if (!now.isBefore(nextReload)) {
            reload();
            nextReload = now.plus(settings.reloadInterval());
        }
        if (!now.isBefore(nextCommit)) {
            commitCovered();
            nextCommit = now.plus(settings.commitInterval());
        }
        updateLag();
        outbox.throwIfFailed();
    }

    private void accept(TopicPartition partition, ConsumerRecord<byte[], byte[]> record, RecordIntake.Outcome outcome,
            Instant now) {
        ModelLane lane = outcome.lane();
        metrics.consumed(lane.name, 1);
        if (!sampler.keep(record.topic(), record.partition(), record.offset())) {
            metrics.sampledOut(lane.name);
            return;
        }
        if (lane.accept(partition, record.offset(), intake.samples(), outcome.samples(), now)) {
            close(lane, now, "count");
        }
    }

    /** Fleet mode: cuts the open slices that reached their end or their duration; returns whether any was cut. */
    private boolean cutDue(Instant now) {
        boolean any = false;
        for (Map.Entry<TopicPartition, SliceCutter.Slice> e : Map.copyOf(cutter.open()).entrySet()) {
            TopicPartition tp = e.getKey();
            long position = consumer.position(tp);
            String reason = cutter.due(e.getValue(), position, now);
            if (reason != null) {
                long end = reason.equals("offset") ? e.getValue().end() : offsets.consumed(tp);
                cut(tp, e.getValue(), end, reason, now);
                any = true;
            }
        }
        return any;
    }

    /** Fleet mode: cuts every open slice where its partition stands (a new version waits to be swapped in). */
    private void cutAll(String reason, Instant now) {
        for (Map.Entry<TopicPartition, SliceCutter.Slice> e : Map.copyOf(cutter.open()).entrySet()) {
            cut(e.getKey(), e.getValue(), offsets.consumed(e.getKey()), reason, now);
        }
        commitCovered();
    }

    /** Fleet mode: ends the slice [slice.start, end) of {@code partition}, sending each lane's partial of it. */
    private void cut(TopicPartition partition, SliceCutter.Slice slice, long end, String reason, Instant now) {
        for (ModelLane lane : lanes.values()) {
            if (!lane.hasModel()) {
                continue;
            }
            Partial p = lane.closePartial(partition, slice.start(), end, reason, now, sampler.rate());
            if (p != null) {
                outbox.send(new ProducerRecord<>(settings.fleet().partialsTopic(),
                        p.model().getBytes(StandardCharsets.UTF_8), p.bytes()));
                metrics.partialPublished(p.model());
            }
        }
        cutter.remove(partition);
        offsets.release(partition);
    }

    /** Closes the lane's window, judges and publishes it, swaps a waiting version in, commits. */
    private void close(ModelLane lane, Instant now, String reason) {
        ClosedWindow window = lane.close(now, reason, sampler.rate());
        if (window == null) {
            return;
        }
        JudgedWindow judged = new JudgedWindow(window,
                lane.judge().judge(window.moments(), window.cellScoreSums(), window.classCounts(),
                        window.windowId()));
        publisher.publish(judged);
        lane.judged(judged);
        swapIfPending(lane);
        commitCovered();
        status.refresh(lanes.values());
    }

    /** Asks the loop to stop; it abandons open windows, commits what is covered and closes the clients. */
    public void stop() {
        stopping = true;
        consumer.wakeup();
    }

    /** When the loop last returned from poll, or null before the first poll. */
    public Instant lastPoll() {
        return lastPoll;
    }

    /** Whether the consumer has joined its group (an assignment, possibly empty, was received). */
    public boolean joined() {
        return joined;
    }

    /** Successful commits so far: a loop that committed has made progress. */
    public long commits() {
        return offsets.commits();
    }

    /** Names of watched models that have no loaded version. */
    public Set<String> modelsNotLoaded() {
        return status.notLoaded();
    }

    /** The loop's status as JSON (models, versions, open windows, per-layer states), refreshed by the loop. */
    public String status() {
        return status.json();
    }

    private void reload() {
        for (MonitoredModel next : models.poll()) {
            ModelLane lane = lanes.get(next.name());
            if (lane == null) {
                next.close();
                continue;
            }
            lane.offer(next);
            if (cutter != null && lane.hasPending()) {
                // A partial never mixes versions: cut every slice so that the new one starts at once.
                cutAll("version", clock.instant());
            }
            swapIfPending(lane);
        }
        status.refresh(lanes.values());
    }

    private void swapIfPending(ModelLane lane) {
        MonitoredModel old = lane.swapIfPending();
        if (old != null) {
            metrics.removeVersion(old.name(), old.version());
            LOG.infof("model '%s': now serving v%s (was v%s)", lane.name, lane.model().version(), old.version());
            old.close();
        }
    }

    /** Flushes the producer (dead letters settled) and commits, per partition, what no open window holds. */
    private void commitCovered() {
        Map<TopicPartition, OffsetAndMetadata> due = offsets.due(lanes.values());
        if (due.isEmpty()) {
            return;
        }
        deadLetters.settle();
        outbox.throwIfFailed();
        if (cutter != null) {
            offsets.commitInTransaction(consumer, outbox, due);
            uncommittedCuts = false;
            nextFleetCommit = clock.instant().plus(settings.fleet().commitInterval());
        } else {
            offsets.commit(consumer, due);
        }
    }

    private void updateLag() {
        long lag = 0;
        for (TopicPartition tp : consumer.assignment()) {
            lag += consumer.currentLag(tp).orElse(0);
        }
        metrics.lag(lag);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
        if (revoked.isEmpty() || closing) {
            return;
        }
        commitCovered();
        dropPartitions(revoked);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
        if (cutter != null) {
            // The open transaction may hold partials and dead letters of the lost partitions, which their
            // new owner reads again: it must not commit. A restart aborts it and replays from the commits.
            throw new IllegalStateException("partitions " + lost + " were lost (the session expired); stopping"
                    + " so that the open transaction is aborted and the records are replayed from the last commit");
        }
        dropPartitions(lost);
    }

    /** Abandons the open windows, rewinds kept partitions to their first abandoned record, forgets the rest. */
    private void dropPartitions(Collection<TopicPartition> gone) {
        Map<TopicPartition, Long> covered = offsets.covered(lanes.values());
        lanes.values().forEach(ModelLane::abandon);
        if (cutter != null) {
            cutter.clear();
            offsets.releaseAll();
        }
        offsets.rewind(consumer, covered, gone);
        status.refresh(lanes.values());
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
        joined = true;
        LOG.infof("assigned %s", assigned);
    }

    private void shutdown(boolean failed) {
        if (!failed) {
            try {
                commitCovered();
            } catch (RuntimeException e) {
                LOG.warnf("final commit failed: %s", e.toString());
            }
        }
        // The open windows are abandoned now, so a commit from the revocation that closing the consumer
        // triggers would cover their records without any published window: it must not happen.
        closing = true;
        lanes.values().forEach(ModelLane::abandon);
        try {
            // After a failure the broker may be gone: do not wait long to leave the group.
            consumer.close(failed ? Duration.ofSeconds(5) : Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            LOG.warnf("closing the consumer: %s", e.toString());
        }
        try {
            outbox.close(failed);
        } catch (RuntimeException e) {
            LOG.warnf("closing the producer: %s", e.toString());
        }
        lanes.values().forEach(ModelLane::close);
    }
}
