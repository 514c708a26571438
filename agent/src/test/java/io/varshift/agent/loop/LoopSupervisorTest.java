package io.varshift.agent.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.varshift.agent.metrics.AgentMetrics;

class LoopSupervisorTest {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final AgentMetrics metrics = new AgentMetrics(registry);
    final MutableClock clock = new MutableClock();
    final List<Duration> waits = new ArrayList<>();
    final List<Integer> exits = new ArrayList<>();
    final AtomicInteger loopsMade = new AtomicInteger();
    final LoopSettings settings = AgentLoopTest.settings().build();

    /** A loop whose first poll fails as against an unreachable broker. */
    AgentLoop failingLoop(ModelSource models) {
        loopsMade.incrementAndGet();
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        consumer.setPollException(new KafkaException("broker unreachable"));
        return new AgentLoop(consumer, new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer()), settings, models, metrics, clock);
    }

    LoopSupervisor supervisor(ModelSource models, int maxFailures) {
        return new LoopSupervisor(() -> failingLoop(models), new LoopSupervisor.Policy(Duration.ofSeconds(1),
                Duration.ofSeconds(4), maxFailures), metrics, waits::add, exits::add, clock);
    }

    @Test
    void aFailingLoopIsRestartedWithGrowingBackoffUntilTheLimitThenTheProcessExits() {
        LoopSupervisor supervisor = supervisor(new IdentityModel.Source("m"), 3);

        supervisor.run();

        assertThat(loopsMade).hasValue(4);
        assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
        assertThat(registry.get("varshift.loop.restarts").counter().count()).isEqualTo(3);
        assertThat(exits).containsExactly(1);
        assertThat(supervisor.alive(Duration.ofMinutes(1))).isFalse();
        assertThat(supervisor.failure()).contains("failed 4 times in a row", "limit 3",
                "varshift.agent.restart.max-failures", "broker unreachable");
    }

    @Test
    void anErrorInTheLoopExitsAtOnceWithoutARestart() {
        ModelSource oom = new ModelSource() {
            @Override
            public Set<String> names() {
                return Set.of("m");
            }

            @Override
            public List<MonitoredModel> poll() {
                throw new OutOfMemoryError("Java heap space");
            }
        };
        LoopSupervisor supervisor = supervisor(oom, 10);

        supervisor.run();

        assertThat(loopsMade).hasValue(1);
        assertThat(waits).isEmpty();
        assertThat(exits).containsExactly(1);
        assertThat(supervisor.failure()).contains("OutOfMemoryError", "Java heap space");
        assertThat(supervisor.alive(Duration.ofMinutes(1))).isFalse();
    }

    @Test
    void aLoopThatStopsOnRequestIsNotRestarted() {
        LoopSupervisor supervisor = new LoopSupervisor(() -> {
            loopsMade.incrementAndGet();
            AgentLoop loop = new AgentLoop(new MockConsumer<>("earliest"), new MockProducer<>(true, null,
                    new ByteArraySerializer(), new ByteArraySerializer()), settings, new IdentityModel.Source("m"),
                    metrics, clock);
            loop.stop();
            return loop;
        }, new LoopSupervisor.Policy(Duration.ofSeconds(1), Duration.ofSeconds(4), 3), metrics, waits::add,
                exits::add, clock);

        supervisor.run();

        assertThat(loopsMade).hasValue(1);
        assertThat(exits).isEmpty();
        assertThat(supervisor.alive(Duration.ofMinutes(1))).isTrue();
    }

    @Test
    void badRestartSettingsAreRefusedNamingTheProperty() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LoopSupervisor.Policy(Duration.ofSeconds(5),
                Duration.ofSeconds(1), 3)).hasMessageContaining("varshift.agent.restart.backoff = PT5S");
    }
}
