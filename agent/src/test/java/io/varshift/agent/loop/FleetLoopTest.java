package io.varshift.agent.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.varshift.agent.fleet.Partial;
import io.varshift.agent.metrics.AgentMetrics;
import io.varshift.core.codec.NpyWriter;

/**
 * The loop in fleet mode with Kafka's mocks: slices cut by offset, one partial per model and slice,
 * partials and consumer offsets committed in one transaction, the same partials and ids on a replay.
 */
class FleetLoopTest {

    static final String TRAFFIC = "traffic";
    static final TopicPartition P0 = new TopicPartition(TRAFFIC, 0);
    static final TopicPartition P1 = new TopicPartition(TRAFFIC, 1);
    static final int SLICE = 10;

    final MutableClock clock = new MutableClock();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** One agent: a mock consumer assigned both partitions from {@code from}, a transactional mock producer. */
    final class Agent {
        final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        final MockProducer<byte[], byte[]> producer =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        final AgentLoop loop;

        Agent(Map<TopicPartition, Long> from) {
            LoopSettings settings = AgentLoopTest.settings()
                    .batchSize(4)
                    .fleet(new Fleet("partials", SLICE, Duration.ofSeconds(2)))
                    .build();
            IdentityModel.Source source = new IdentityModel.Source("m");
            source.queue.add(new IdentityModel("m", "1", 20));
            loop = new AgentLoop(consumer, producer, settings, source, new AgentMetrics(registry), clock);
            loop.start();
            consumer.rebalance(List.of(P0, P1));
            consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
            from.forEach(consumer::seek);
        }

        /** Offsets [from, to) of {@code tp}: valid samples of a fixed sequence, so a replay reads the same values. */
        void records(TopicPartition tp, long from, long to) {
            float[] x = IdentityModel.gaussian((int) to, 1.0, tp.partition() + 1);
            for (long o = from; o < to; o++) {
                float[] sample = Arrays.copyOfRange(x, (int) o * IdentityModel.CHANNELS,
                        (int) (o + 1) * IdentityModel.CHANNELS);
                RecordHeaders headers = new RecordHeaders();
                headers.add("varshift-model", "m".getBytes(StandardCharsets.UTF_8));
                headers.add("content-type", "application/x-npy".getBytes(StandardCharsets.UTF_8));
                byte[] value = NpyWriter.float32(sample, IdentityModel.CHANNELS);
                consumer.addRecord(new ConsumerRecord<>(TRAFFIC, tp.partition(), o, 0L, TimestampType.CREATE_TIME, -1,
                        value.length, null, value, headers, java.util.Optional.empty()));
            }
        }

        /** The partials of committed transactions, in the order they were sent. */
        List<Partial> partials() {
            return producer.history().stream().filter(r -> r.topic().equals("partials"))
                    .map(r -> Partial.parse(r.value())).toList();
        }

        /** The consumer offsets committed in the last committed transaction. */
        Map<TopicPartition, Long> committed() {
            Map<TopicPartition, Long> out = new HashMap<>();
            for (Map<String, Map<TopicPartition, OffsetAndMetadata>> commit : producer.consumerGroupOffsetsHistory()) {
                commit.values().forEach(m -> m.forEach((tp, o) -> out.put(tp, o.offset())));
            }
            return out;
        }
    }

    @Test
    void slicesAreCutByOffsetAndTheirPartialsCommittedWithTheOffsetsInOneTransaction() {
        Agent agent = new Agent(Map.of());
        agent.records(P0, 0, 25);
        agent.records(P1, 0, 12);
        agent.loop.step();

        List<Partial> partials = agent.partials();
        assertThat(partials).extracting(p -> p.partition() + ":" + p.sliceStart() + "-" + p.sliceEnd() + "/" + p.samples())
                .containsExactlyInAnyOrder("0:0-10/10", "0:10-20/10", "1:0-10/10");
        assertThat(partials).allSatisfy(p -> {
            assertThat(p.cut()).isEqualTo("offset");
            assertThat(p.first()).isEqualTo(p.sliceStart());
            assertThat(p.last()).isEqualTo(p.sliceEnd() - 1);
            assertThat(p.moments().get(0).count()).isEqualTo(10L);
        });
        // Nothing past an open slice is committed: the open slices start at 20 and 10.
        assertThat(agent.committed()).containsExactlyInAnyOrderEntriesOf(Map.of(P0, 20L, P1, 10L));
        assertThat(agent.producer.transactionCommitted()).isTrue();
        assertThat(agent.producer.history()).noneMatch(r -> r.topic().equals("windows"));
        assertThat(agent.consumer.committed(java.util.Set.of(P0, P1))).as("no commit outside the transaction")
                .allSatisfy((tp, o) -> assertThat(o).isNull());
    }

    @Test
    void aReplayFromTheCommitCutsTheSamePartialsWithTheSameIdsAndMoments() {
        Agent first = new Agent(Map.of());
        first.records(P0, 0, 40);
        first.loop.step();
        // A crash after the commit at 20 (say): a new agent replays from there.
        Agent replay = new Agent(Map.of(P0, 20L));
        replay.records(P0, 20, 40);
        replay.loop.step();

        List<Partial> original = first.partials().stream().filter(p -> p.sliceStart() >= 20).toList();
        List<Partial> again = replay.partials();
        assertThat(again).hasSize(2);
        assertThat(again).extracting(Partial::id).containsExactlyElementsOf(original.stream().map(Partial::id).toList());
        for (int i = 0; i < again.size(); i++) {
            assertThat(moments(again.get(i))).isEqualTo(moments(original.get(i)));
            assertThat(again.get(i).cellScoreSums()).containsExactly(original.get(i).cellScoreSums());
        }
    }

    @Test
    void aQuietPartitionsSliceIsCutByTimeWhereThePartitionStands() {
        Agent agent = new Agent(Map.of());
        agent.records(P0, 0, 5);
        agent.loop.step();
        assertThat(agent.partials()).isEmpty();
        clock.advance(Duration.ofSeconds(2));
        agent.loop.step();
        assertThat(agent.partials()).singleElement().satisfies(p -> {
            assertThat(p.cut()).isEqualTo("time");
            assertThat(p.sliceStart()).isZero();
            assertThat(p.sliceEnd()).isEqualTo(5);
            assertThat(p.samples()).isEqualTo(5);
        });
        assertThat(agent.committed()).containsEntry(P0, 5L);
        // The next slice starts where the time cut left off and ends at the next boundary.
        agent.records(P0, 5, 10);
        clock.advance(Fleet.DEFAULT_COMMIT_INTERVAL);
        agent.loop.step();
        assertThat(agent.partials()).extracting(Partial::sliceStart, Partial::sliceEnd)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0L, 5L), org.assertj.core.groups.Tuple.tuple(5L, 10L));
    }

    @Test
    void cutsWithinTheCommitIntervalWaitInTheOpenTransactionAndAreCommittedTogether() {
        Agent agent = new Agent(Map.of());
        agent.records(P0, 0, 10);
        agent.loop.step();
        assertThat(agent.partials()).hasSize(1);
        agent.records(P0, 10, 30);
        agent.loop.step();
        assertThat(agent.partials()).as("committed partials, inside the commit interval").hasSize(1);
        assertThat(agent.producer.uncommittedRecords()).hasSize(2);
        assertThat(agent.committed()).containsEntry(P0, 10L);
        clock.advance(Fleet.DEFAULT_COMMIT_INTERVAL);
        agent.loop.step();
        assertThat(agent.partials()).extracting(Partial::sliceStart).containsExactly(0L, 10L, 20L);
        assertThat(agent.committed()).containsEntry(P0, 30L);
    }

    @Test
    void lostPartitionsStopTheLoopSoThatTheOpenTransactionIsNeverCommitted() {
        Agent agent = new Agent(Map.of());
        agent.records(P0, 0, 15);
        agent.loop.step();
        assertThatThrownBy(() -> agent.loop.onPartitionsLost(List.of(P0))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("were lost").hasMessageContaining("replayed from the last commit");
    }

    @Test
    void aFailedTransactionStopsTheLoopAndCommitsNothing() {
        Agent agent = new Agent(Map.of());
        agent.producer.commitTransactionException = new KafkaException("broker gone");
        agent.records(P0, 0, 10);
        assertThatThrownBy(agent.loop::step).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("committing the transaction of partials and offsets")
                .hasMessageContaining("replayed from the last commit");
        assertThat(agent.partials()).isEmpty();
        assertThat(agent.committed()).isEmpty();
        assertThat(agent.producer.transactionAborted()).isTrue();
    }

    @Test
    void aRevokedPartitionsOpenSliceIsAbandonedAndReadAgainFromItsStart() {
        Agent agent = new Agent(Map.of());
        agent.records(P0, 0, 15);
        agent.records(P1, 0, 5);
        agent.loop.step();
        agent.consumer.rebalance(List.of(P0));
        assertThat(agent.committed()).containsEntry(P0, 10L).containsEntry(P1, 0L);
        assertThat(agent.consumer.position(P0)).as("rewound to the open slice").isEqualTo(10L);
    }

    private static List<String> moments(Partial p) {
        return p.moments().stream().map(m -> Base64.getEncoder().encodeToString(m.toBytes())).toList();
    }
}
